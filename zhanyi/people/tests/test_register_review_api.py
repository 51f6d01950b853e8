"""The register's rows to review over the API and the command line: listed with
their candidates (audited), decided as a candidate or a new person (audited by
the action), scoped by the rows' villages; another county's staff and a user
without data staff's rights are refused."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from zhanyi.core.audit import cli_actor
from zhanyi.core.models import AuditEvent
from zhanyi.engine.identity import check_char
from zhanyi.people.actions import do_import_persons
from zhanyi.people.models import Person, RegisterLoad, RegisterReview

pytestmark = pytest.mark.django_db


def rid(birth: str, seq: int) -> str:
    first17 = f"350602{birth}{seq:03d}"
    return first17 + check_char(first17)


@pytest.fixture
def rows(world):
    do_import_persons(
        acting_user=cli_actor(),
        households=[],
        persons=[
            {
                "person_id": 1,
                "identity_number": rid("19750312", 111),
                "name": "陈建国",
                "village_code": world.village.code,
                "address": "东铺头社区胜利路1号",
                "phone": "13905961001",
            }
        ],
    )
    chen = Person.objects.get(external_id=1)
    load = RegisterLoad.objects.create(
        kind="hukou", filename="r.csv", status="done", received_by=world.tracer
    )
    first = RegisterReview.objects.create(
        load=load,
        row_number=2,
        values={"name": "陈建国", "identity_number": rid("19750312", 112), "phone": "13905969999"},
        candidates=[chen.pk],
        village=world.village,
    )
    second = RegisterReview.objects.create(
        load=load,
        row_number=3,
        values={"name": "新人", "identity_number": rid("19900101", 333)},
        candidates=[chen.pk],
        village=world.village,
    )
    elsewhere = RegisterReview.objects.create(
        load=load,
        row_number=4,
        values={"name": "外县人", "identity_number": rid("19900101", 555)},
        candidates=[],
        village=world.other_village,
    )
    return load, chen, first, second, elsewhere


def test_rows_to_review_are_listed_with_their_candidates_and_audited(world, rows, api_for):
    load, chen, _first, _second, elsewhere = rows
    answer = api_for(world.commander).get(f"/api/v1/people/register/loads/{load.pk}/reviews/")
    assert answer.status_code == 200
    listed = {r["row_number"]: r for r in answer.json()}
    assert set(listed) == {2, 3, 4}  # the city's commander sees every village
    assert listed[2]["candidates"][0]["id"] == chen.pk
    assert listed[2]["candidates"][0]["identity_number"] == chen.identity_number
    assert listed[2]["village_code"] == world.village.code
    assert AuditEvent.objects.filter(action="people.register.reviews").count() == 1
    # The county's tracer loaded it and sees the rows of their county only.
    answer = api_for(world.tracer).get(f"/api/v1/people/register/loads/{load.pk}/reviews/")
    assert {r["row_number"] for r in answer.json()} == {2, 3}
    denied = api_for(world.tracer).post(
        f"/api/v1/people/register/loads/{load.pk}/reviews/{elsewhere.pk}/", {"new": True}
    )
    assert denied.status_code == 404


def test_a_row_is_decided_as_a_candidate_or_a_new_person(world, rows, api_for):
    load, chen, first, second, _elsewhere = rows
    api = api_for(world.tracer)
    url = f"/api/v1/people/register/loads/{load.pk}/reviews/"
    both = api.post(f"{url}{first.pk}/", {"person": chen.pk, "new": True}, format="json")
    assert both.status_code == 400
    stranger = api.post(f"{url}{first.pk}/", {"person": chen.pk + 999}, format="json")
    assert stranger.status_code == 400 and "candidates" in stranger.json()["person"][0]
    linked = api.post(f"{url}{first.pk}/", {"person": chen.pk}, format="json")
    assert linked.status_code == 200, linked.content
    assert (linked.json()["status"], linked.json()["person"]) == ("linked", chen.pk)
    chen.refresh_from_db()
    assert chen.identity_number == rid("19750312", 112)
    again = api.post(f"{url}{first.pk}/", {"person": chen.pk}, format="json")
    assert again.status_code == 400 and "already" in again.json()["person"][0]
    created = api.post(f"{url}{second.pk}/", {"new": True}, format="json")
    assert created.status_code == 200 and created.json()["status"] == "created"
    assert Person.objects.filter(name="新人", village=world.village).exists()
    assert AuditEvent.objects.filter(action="people.register.review").count() == 2
    assert api.get(url).json() == []  # row 4 lies in another county


def test_outsiders_are_refused(world, rows, api_for):
    load, _chen, first, _second, _elsewhere = rows
    url = f"/api/v1/people/register/loads/{load.pk}/reviews/"
    assert api_for(world.other_county_staff).get(url).status_code in (403, 404)
    assert api_for(world.outsider).get(url).status_code == 403
    assert api_for(world.leader).post(f"{url}{first.pk}/", {"new": True}).status_code == 403
    assert api_for(world.other_county_staff).post(
        f"{url}{first.pk}/", {"new": True}
    ).status_code in (403, 404)
    assert RegisterReview.objects.get(pk=first.pk).status == "pending"


def test_the_command_line_lists_the_rows_to_review(world, rows):
    load, chen, *_ = rows
    out = io.StringIO()
    call_command("register", "reviews", str(load.pk), stdout=out)
    text = out.getvalue()
    assert "row 2\t陈建国" in text and f"--person {chen.pk}\t陈建国" in text
    assert "3 rows to review" in text
