"""The tracing API: scoped, audited, clear errors."""

from __future__ import annotations

import pytest

from zhanyi.core.models import AuditEvent
from zhanyi.tracing import actions
from zhanyi.tracing.models import Case, Exposure

from .factories import SYSTEM, at, case, person

pytestmark = pytest.mark.django_db
BASE = "/api/v1/tracing"


@pytest.fixture
def traced(world):
    c = case(world.village)
    close = person(world.village)
    actions.do_record_exposure(
        c,
        acting_user=SYSTEM,
        person_a=c.person,
        person_b=close,
        setting="household",
        exposed_at=at(13, 19),
    )
    return c, close


def test_a_tracer_creates_a_case_and_reads_its_deadlines(world, api_for):
    p = person(world.village)
    response = api_for(world.tracer).post(
        f"{BASE}/cases/",
        {
            "person": p.pk,
            "classification": "asymptomatic",
            "sampled_at": "2021-09-13T08:00:00+08:00",
            "reported_at": "2021-09-13T20:00:00+08:00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["protocol"] == "edition-8"
    assert body["report_due_at"].startswith("2021-09-13T22:00")
    assert body["contacts_by_kind"] == {"close": 0, "secondary": 0, "companion": 0}


def test_bad_input_is_refused_naming_the_field(world, api_for):
    p = person(world.village)
    response = api_for(world.tracer).post(
        f"{BASE}/cases/",
        {
            "person": p.pk,
            "classification": "confirmed",
            "sampled_at": "2021-09-13T20:00:00+08:00",
            "reported_at": "2021-09-13T08:00:00+08:00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "reported_at" in response.json()
    assert not Case.objects.exists()


def test_an_exposure_in_the_future_or_a_missing_place_is_refused_naming_the_field(
    world, api_for, traced
):
    c, close = traced
    api = api_for(world.tracer)
    response = api.post(
        f"{BASE}/cases/{c.pk}/exposures/",
        {"person_b": close.pk, "setting": "meal", "exposed_at": "2999-09-14T09:00:00+08:00"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["exposed_at"]
    assert Exposure.objects.filter(case=c).count() == 1
    response = api.post(
        f"{BASE}/cases/{c.pk}/trajectory/",
        {"start": "2021-09-13T09:00:00+08:00", "place": 99999999},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert response.json()["place"] == ["没有此编号的场所。"]
    assert not c.trajectory.exists()


def test_exposures_then_expansion_then_contacts(world, api_for, traced):
    c, close = traced
    api = api_for(world.tracer)
    other = person(world.village2)
    response = api.post(
        f"{BASE}/cases/{c.pk}/exposures/",
        {
            "person_a": close.pk,
            "person_b": other.pk,
            "setting": "workplace",
            "exposed_at": "2021-09-14T09:00:00+08:00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    result = api.post(f"{BASE}/cases/{c.pk}/expand/").json()
    assert (result["new_close"], result["new_secondary"]) == (1, 1)
    contacts = api.get(f"{BASE}/cases/{c.pk}/contacts/").json()
    assert contacts["by_kind"]["secondary"] == 1
    assert {x["person"] for x in contacts["contacts"]} == {close.pk, other.pk}
    assert AuditEvent.objects.filter(action="case.view", detail__via="api:contacts").exists()
    # Every read of the case's people is audited, each naming what was read.
    for part in ("exposures", "trajectory", "graph"):
        assert api.get(f"{BASE}/cases/{c.pk}/{part}/").status_code == 200
        assert AuditEvent.objects.filter(
            action="case.view", detail__via=f"api:{part}", actor=world.tracer
        ).exists(), part


def test_another_county_gets_404_and_an_empty_list(world, api_for, traced):
    c, _ = traced
    api = api_for(world.other_county_staff)
    assert api.get(f"{BASE}/cases/").json() == []
    assert api.get(f"{BASE}/cases/{c.pk}/").status_code == 404
    assert api.post(f"{BASE}/cases/{c.pk}/expand/").status_code == 404


def test_an_outsider_and_a_leader_cannot_write(world, api_for, traced):
    c, close = traced
    for user in (world.outsider, world.leader):
        response = api_for(user).post(
            f"{BASE}/cases/{c.pk}/exposures/",
            {"person_b": close.pk, "setting": "meal", "exposed_at": "2021-09-13T12:00:00+08:00"},
            format="json",
        )
        assert response.status_code in (403, 404)
    assert Exposure.objects.count() == 1


def test_the_graph_names_people_as_the_case_does_and_masks_them_for_a_wall_screen(
    world, api_for, traced
):
    c, close = traced
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=at(15))
    api = api_for(world.commander)
    graph = api.get(f"{BASE}/cases/{c.pk}/graph/").json()
    assert len(graph["nodes"]) == 2
    assert close.name in {n["name"] for n in graph["nodes"]}
    masked = api.get(f"{BASE}/cases/{c.pk}/graph/?masked=1").json()
    assert close.name not in str(masked) and len(masked["nodes"]) == 2


def test_a_suspected_case_and_an_exposure_in_a_lift_over_the_api(world, api_for):
    p, q = person(world.village), person(world.village)
    api = api_for(world.tracer)
    response = api.post(
        f"{BASE}/cases/",
        {
            "person": p.pk,
            "classification": "suspected",
            "onset_date": "2021-09-13",
            "sampled_at": "2021-09-14T08:00:00+08:00",
            "reported_at": "2021-09-14T20:00:00+08:00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    case_id = response.json()["id"]
    response = api.post(
        f"{BASE}/cases/{case_id}/exposures/",
        {
            "person_a": p.pk,
            "person_b": q.pk,
            "setting": "lift",
            "exposed_at": "2021-09-13T09:00:00+08:00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert api.post(f"{BASE}/cases/{case_id}/expand/", {}, format="json").status_code == 200
    assert api.get(f"{BASE}/cases/{case_id}/").json()["contacts_by_kind"]["close"] == 1
