from __future__ import annotations

import pytest

from zhanyi.core.models import AuditEvent
from zhanyi.quarantine.models import Placement, PlacementState

from .factories import person, site, waiting

pytestmark = pytest.mark.django_db


def test_the_api_runs_the_whole_placement(world, api_for):
    api = api_for(world.tracer)
    made = api.post(
        "/api/v1/quarantine/sites/",
        {"name": "宾馆", "area": world.county.code, "lon": 117.65, "lat": 24.51},
        format="json",
    )
    assert made.status_code == 201, made.json()
    site_id = made.json()["id"]
    rooms = api.post(
        f"/api/v1/quarantine/sites/{site_id}/rooms/", {"numbers": ["101", "102"]}, format="json"
    )
    assert rooms.json() == {"added": 2}
    p = person(world.village, "甲")
    assert api.post("/api/v1/quarantine/queue/", {"person": p.pk}, format="json").status_code == 201
    assert [r["person"] for r in api.get("/api/v1/quarantine/queue/").json()["results"]] == [p.pk]
    assert AuditEvent.objects.filter(action="quarantine.queue.api_view").exists()
    plan = api.post("/api/v1/quarantine/plan/").json()
    assert plan["proposed"] == 1
    ids = [x["id"] for x in plan["proposals"]]
    confirmed = api.post(
        "/api/v1/quarantine/placements/confirm/", {"placements": ids}, format="json"
    )
    assert confirmed.status_code == 200
    assert Placement.objects.get(pk=ids[0]).state == PlacementState.PLACED
    check = api.post(
        f"/api/v1/quarantine/placements/{ids[0]}/checks/", {"temperature": "36.6"}, format="json"
    )
    assert check.status_code == 201
    refused = api.post(f"/api/v1/quarantine/placements/{ids[0]}/release/")
    assert refused.status_code == 400
    assert "days of quarantine end then" in str(refused.json()["released_at"])
    capacity = api.get("/api/v1/quarantine/capacity/").json()["results"]
    assert {c["area"] for c in capacity} == {world.county.code}


def test_an_occupied_room_is_a_400_with_its_message(world, api_for):
    s = site(world.county, singles=1, families=0)
    api = api_for(world.tracer)
    first = waiting(person(world.village, "甲"))
    second = waiting(person(world.village2, "乙"))
    from zhanyi.quarantine import actions

    actions.do_place(first, s.rooms.get(), acting_user=world.tracer)
    proposal = Placement.objects.create(
        person=second.person,
        area=second.area,
        handoff=second,
        site=s,
        room=s.rooms.get(),
        kind="close",
        days=14,
        identified_at=second.created_at,
        due_at=second.due_at,
        starts_at=second.created_at,
    )
    answer = api.post(
        "/api/v1/quarantine/placements/confirm/", {"placements": [proposal.pk]}, format="json"
    )
    assert answer.status_code == 400
    assert "occupied by another household" in str(answer.json())


def test_another_countys_site_is_a_404_and_an_outsider_a_403(world, api_for):
    s = site(world.other_county)
    assert api_for(world.tracer).get(f"/api/v1/quarantine/sites/{s.pk}/rooms/").status_code == 404
    assert api_for(world.outsider).get("/api/v1/quarantine/sites/").status_code == 403


def test_a_leader_may_not_write(world, api_for):
    p = person(world.village, "甲")
    answer = api_for(world.leader).post(
        "/api/v1/quarantine/queue/", {"person": p.pk}, format="json"
    )
    assert answer.status_code == 403


def test_a_person_is_placed_by_hand_and_a_second_desk_is_refused(world, api_for):
    s = site(world.county, singles=2, families=0)
    handoff = waiting(person(world.village, "甲"))
    api = api_for(world.tracer)
    rooms = list(s.rooms.values_list("pk", flat=True))
    first = api.post(
        "/api/v1/quarantine/placements/place/",
        {"handoff": handoff.pk, "room": rooms[0]},
        format="json",
    )
    assert first.status_code == 201
    again = api.post(
        "/api/v1/quarantine/placements/place/",
        {"handoff": handoff.pk, "room": rooms[1]},
        format="json",
    )
    assert again.status_code == 404  # no longer waiting
    outsider = api_for(world.other_county_staff)
    other = waiting(person(world.village2, "乙"))
    answer = outsider.post(
        "/api/v1/quarantine/placements/place/",
        {"handoff": other.pk, "room": rooms[1]},
        format="json",
    )
    assert answer.status_code == 404
