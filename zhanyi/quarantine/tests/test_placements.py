from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhanyi.core.models import AuditEvent
from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
from zhanyi.handoffs.models import Handoff, HandoffStatus
from zhanyi.handoffs.schedule import ScheduledTest, detail_of
from zhanyi.quarantine import actions
from zhanyi.quarantine.models import ZONE_ITEMS, Placement, PlacementState, RoomState

from .factories import ACTOR, household, person, site, waiting

pytestmark = pytest.mark.django_db


def test_the_plan_keeps_a_household_together_a_child_with_one_parent(world):
    site(world.county, singles=3, families=1)
    home = household(world.village)
    mother = person(world.village, "母亲", household=home)
    father = person(world.village, "父亲", household=home)
    child = person(world.village, "孩子", age=5, household=home)
    for p in (mother, father, child):
        waiting(p)
    proposals, figures = actions.do_plan_placements(acting_user=world.commander)
    assert figures["proposed"] == 3 and figures["waiting_households"] == 0
    rooms = {p.person_id: p.room for p in proposals}
    assert rooms[child.pk].capacity == 3
    assert rooms[child.pk] in (rooms[mother.pk], rooms[father.pk])
    assert rooms[mother.pk] != rooms[father.pk]  # adults one to a room
    assert len({r.site_id for r in rooms.values()}) == 1


def test_own_county_first_then_anywhere(world):
    far = site(world.other_county, "龙海酒店", singles=5, families=0, lon=117.82, lat=24.44)
    near = site(world.county, "芗城酒店", singles=1, families=0, lon=117.65, lat=24.51)
    a, b = person(world.village, "甲"), person(world.village, "乙")
    waiting(a)
    waiting(b)
    proposals, _ = actions.do_plan_placements(acting_user=world.commander)
    sites = sorted(p.site_id for p in proposals)
    assert sites == sorted([near.pk, far.pk])


def test_confirming_places_the_person_closes_the_handoff_and_audits(world):
    site(world.county)
    p = person(world.village, "张三")
    handoff = waiting(p)
    proposals, _ = actions.do_plan_placements(acting_user=world.tracer)
    [placed] = actions.do_confirm_placements(proposals, acting_user=world.tracer)
    placed.refresh_from_db()
    handoff.refresh_from_db()
    assert placed.state == PlacementState.PLACED
    assert placed.room.state == RoomState.OCCUPIED
    assert handoff.status == HandoffStatus.DONE
    assert f"quarantine.placement:{placed.pk}" in handoff.outcome
    assert AuditEvent.objects.filter(action="quarantine.place", object_id=str(placed.pk)).exists()
    assert AuditEvent.objects.filter(action="handoff.close").exists()


def test_when_rooms_are_short_the_most_people_are_placed_and_the_rest_wait(world):
    site(world.county, singles=2, families=0)
    home = household(world.village)
    pair = [person(world.village, n, household=home) for n in ("一", "二")]
    alone = [person(world.village2, "三")]
    for p in pair + alone:
        waiting(p)
    proposals, figures = actions.do_plan_placements(acting_user=world.commander)
    assert figures["proposed"] == 2 and figures["waiting_households"] == 1
    assert {p.person_id for p in proposals} == {p.pk for p in pair}


def test_an_occupied_room_is_refused_with_its_number(world):
    s = site(world.county, singles=1, families=0)
    room = s.rooms.get()
    first, second = person(world.village, "甲"), person(world.village2, "乙")
    actions.do_place(waiting(first), room, acting_user=world.tracer)
    with pytest.raises(ValidationError) as refused:
        actions.do_place(waiting(second), room, acting_user=world.tracer)
    assert "Room 100 is occupied by another household." in str(refused.value)


def test_a_double_placement_is_refused(world):
    s = site(world.county, singles=2, families=0)
    p = person(world.village, "甲")
    handoff = waiting(p)
    actions.do_place(handoff, s.rooms.first(), acting_user=world.tracer)
    with pytest.raises(ValidationError) as refused:
        actions.do_place(handoff, s.rooms.last(), acting_user=world.tracer)
    assert "甲 is already placed." in str(refused.value)


def test_a_site_outside_the_jurisdiction_is_refused(world):
    with pytest.raises(PermissionDenied):
        actions.do_create_site(
            acting_user=world.tracer, name="x", area=world.other_county, lon=117.8, lat=24.4
        )


def test_a_reserve_site_opens_only_by_a_commander_once_its_zones_are_checked(world):
    s = site(world.county, state="reserve")
    with pytest.raises(PermissionDenied):
        actions.do_activate_site(s, acting_user=world.tracer)
    with pytest.raises(ValidationError) as refused:
        actions.do_activate_site(s, acting_user=world.commander)
    assert "three zones and two passages" in str(refused.value)
    actions.do_check_zones(
        s,
        dict.fromkeys(ZONE_ITEMS, True),
        acting_user=world.tracer,
    )
    s = actions.do_activate_site(s, acting_user=world.commander)
    assert s.state == "active"


def test_a_reserve_site_takes_nobody(world):
    s = site(world.county, state="reserve")
    p = person(world.village, "甲")
    with pytest.raises(ValidationError) as refused:
        actions.do_place(waiting(p), s.rooms.first(), acting_user=world.tracer)
    assert "is not active" in str(refused.value)


def test_release_before_the_protocol_allows_is_refused_with_the_reasons(world):
    s = site(world.county)
    p = person(world.village, "甲")
    placement = actions.do_place(waiting(p), s.rooms.first(), acting_user=world.tracer)
    with pytest.raises(ValidationError) as refused:
        actions.do_release(placement, acting_user=world.tracer)
    text = str(refused.value)
    assert "the days of quarantine end then" in text
    assert "The last 2 samples must be negative." in text
    placement.refresh_from_db()
    assert placement.state == PlacementState.PLACED


def test_moving_a_placed_person_sends_the_old_room_to_cleaning(world):
    s = site(world.county, singles=2, families=0)
    p = person(world.village, "甲")
    placement = actions.do_place(waiting(p), s.rooms.first(), acting_user=world.tracer)
    old = placement.room
    actions.do_move_placement(placement, s.rooms.last(), acting_user=world.tracer)
    old.refresh_from_db()
    assert old.state == RoomState.CLEANING
    actions.do_set_room_state(old, RoomState.VACANT, acting_user=world.tracer)
    old.refresh_from_db()
    assert old.state == RoomState.VACANT


def test_an_outsider_plans_nobody(world):
    site(world.county)
    waiting(person(world.village, "甲"))
    proposals, _ = actions.do_plan_placements(acting_user=world.other_county_staff)
    assert proposals == []
    assert not Placement.objects.exists()


def test_a_health_check_with_a_fever_is_recorded_and_audited(world):
    s = site(world.county)
    placement = actions.do_place(
        waiting(person(world.village, "甲")), s.rooms.first(), acting_user=world.tracer
    )
    check = actions.do_record_health_check(
        placement,
        temperature=38.2,
        symptoms="咳嗽",
        acting_user=world.tracer,
        checked_at=timezone.now() - dt.timedelta(minutes=5),
    )
    assert str(check.temperature) == "38.2"
    event = AuditEvent.objects.get(action="quarantine.health_check")
    assert event.detail["fever"] is True


def test_a_person_added_by_hand_gets_the_protocols_test_days_handed_to_testing(world):
    s = site(world.county)
    placement = actions.do_place(
        waiting(person(world.village, "甲")), s.rooms.first(), acting_user=world.tracer
    )
    tests = Handoff.objects.get(key=f"quarantine.placement:{placement.pk}:tests")
    assert (tests.kind, tests.to_task_force) == ("test", "testing")
    days = [t["day"] for t in tests.detail["tests"] if t["stage"] == "quarantine"]
    assert days == [1, 4, 7, 14]  # the 8th edition's close-contact test days
    assert tests.not_before == placement.starts_at


def test_a_producers_own_schedule_is_not_handed_on_twice(world):
    s = site(world.county)
    p = person(world.village, "乙")
    handoff = waiting(p)
    day = timezone.now()
    do_create_handoffs(
        [
            HandoffSpec(
                key="x:tests",
                kind="test",
                person_id=p.pk,
                area_id=world.village.pk,
                from_task_force="investigation",
                to_task_force="testing",
                origin=handoff.origin,
                not_before=day,
                due_at=day + dt.timedelta(days=1),
                detail=detail_of([ScheduledTest("quarantine", 1, day, day + dt.timedelta(days=1))]),
            )
        ],
        acting_user=ACTOR,
    )
    actions.do_place(handoff, s.rooms.first(), acting_user=world.tracer)
    assert Handoff.objects.filter(person=p, kind="test").count() == 1
