"""The API: stations, checks (idempotent on the client id), a person named, figures."""

from __future__ import annotations

import uuid

import pytest

from zhanyi.checkpoints.models import Check
from zhanyi.core.models import AuditEvent

from .factories import check, station

pytestmark = pytest.mark.django_db


def body(st, **fields):
    return {
        "client_id": str(uuid.uuid4()),
        "station": st.pk,
        "plate": "闽E12345",
        "people": 3,
        "code_colour": "green",
        "origin_city": "厦门市",
        "destination": "芗城区",
        "test_age_hours": 20,
        **fields,
    }


def test_a_check_posted_twice_is_stored_once(world, api_for):
    st = station(world.county)
    api = api_for(world.tracer)
    sent = body(st)
    first = api.post("/api/v1/checkpoints/checks/", sent, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["outcome"] == "pass"
    assert "negative test within 48 hours: pass" in first.json()["reason"]
    again = api.post("/api/v1/checkpoints/checks/", sent, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Check.objects.count() == 1
    assert AuditEvent.objects.filter(action="checkpoints.check.record").count() == 1


def test_a_malformed_plate_is_a_400_saying_why(world, api_for):
    st = station(world.county)
    answer = api_for(world.tracer).post(
        "/api/v1/checkpoints/checks/", body(st, plate="闽E12O45"), format="json"
    )
    assert answer.status_code == 400
    assert "never use the letters I or O" in answer.json()["plate"][0]


def test_an_origin_typed_by_name_is_understood(world, api_for):
    st = station(world.county)
    answer = api_for(world.tracer).post(
        "/api/v1/checkpoints/checks/",
        body(st, origin_area="东铺头社区", origin_city=""),
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["origin_area"] == world.village.code
    unknown = api_for(world.tracer).post(
        "/api/v1/checkpoints/checks/", body(st, origin_area="火星"), format="json"
    )
    assert unknown.status_code == 400
    assert "No single area has the code or name 火星." in unknown.json()["origin_area"]


def test_another_county_and_a_leader_are_refused(world, api_for):
    st = station(world.county)
    other = api_for(world.other_county_staff).post(
        "/api/v1/checkpoints/checks/", body(st), format="json"
    )
    assert other.status_code == 404
    leader = api_for(world.leader).post("/api/v1/checkpoints/checks/", body(st), format="json")
    assert leader.status_code == 403
    assert not Check.objects.exists()
    check(st)
    assert api_for(world.other_county_staff).get("/api/v1/checkpoints/checks/").json() == {
        "results": []
    }
    assert len(api_for(world.leader).get("/api/v1/checkpoints/checks/").json()["results"]) == 1


def test_a_person_is_named_for_a_check(world, api_for):
    from zhanyi.people.models import Person

    st = station(world.county)
    c = check(st, code_colour="red")
    someone = Person.objects.create(name="孙七", village=world.village)
    answer = api_for(world.tracer).post(
        f"/api/v1/checkpoints/checks/{c.pk}/person/", {"person": someone.pk}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["handed_off"] is True
    assert (
        api_for(world.other_county_staff)
        .post(f"/api/v1/checkpoints/checks/{c.pk}/person/", {"person": someone.pk}, format="json")
        .status_code
        == 404
    )


def test_stations_and_figures(world, api_for):
    api = api_for(world.tracer)
    made = api.post(
        "/api/v1/checkpoints/stations/",
        {"name": "长泰高速口", "kind": "expressway_exit", "area": world.county.code},
        format="json",
    )
    assert made.status_code == 201, made.content
    st_id = made.json()["id"]
    refused = api_for(world.other_county_staff).post(
        "/api/v1/checkpoints/stations/",
        {"name": "越界", "kind": "road", "area": world.county.code},
        format="json",
    )
    assert refused.status_code == 403
    from zhanyi.checkpoints.models import Station

    st = Station.objects.get(pk=st_id)
    check(st, people=4, origin_area=world.village, origin_city="")
    check(st, people=2, code_colour="red")
    figures = api.get("/api/v1/checkpoints/figures/?by=kind").json()
    assert figures["totals"]["vehicles_checked"] == 2 and figures["totals"]["people_checked"] == 6
    [row] = figures["results"]
    assert row["kind"] == "expressway_exit" and row["vehicles_quarantine"] == 1
    assert api.get(f"/api/v1/checkpoints/stations/{st_id}/").json()["totals"]["people_checked"] == 6
    assert (
        api_for(world.other_county_staff).get(f"/api/v1/checkpoints/stations/{st_id}/").status_code
        == 404
    )
    assert (
        api_for(world.other_county_staff)
        .get("/api/v1/checkpoints/figures/")
        .json()["totals"]["vehicles_checked"]
        == 0
    )
