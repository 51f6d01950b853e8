"""Test schedules: one test hand-off carries a person's tests and rolls on as they are done."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

from zhanyi.core.audit import SystemActor
from zhanyi.core.models import AuditEvent
from zhanyi.handoffs import schedule
from zhanyi.handoffs.actions import (
    HandoffSpec,
    HandoffTemplate,
    do_cancel_handoffs,
    do_create_handoffs,
    do_create_planned_handoffs,
    do_extend_test_schedules,
    do_record_scheduled_test,
)
from zhanyi.handoffs.models import Handoff
from zhanyi.handoffs.schedule import ScheduledTest
from zhanyi.people.models import Person

pytestmark = pytest.mark.django_db
ACTOR = SystemActor("test")


def day(d: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2021, 9, d, hour, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def planned(*days: int, stage: str = "quarantine") -> list[ScheduledTest]:
    return [ScheduledTest(stage, d, day(14 + d), day(15 + d)) for d in days]


def spec(person, area, schedule_tests, key="tracing.contact:7:tests", **changes) -> HandoffSpec:
    first = schedule.current(schedule_tests)
    fields = {
        "key": key,
        "kind": "test",
        "person_id": person.pk,
        "area_id": area.pk,
        "from_task_force": "investigation",
        "to_task_force": "testing",
        "origin": "tracing.contact:7",
        "not_before": first.not_before,
        "due_at": first.due_at,
        "detail": schedule.detail_of(schedule_tests),
    }
    fields.update(changes)
    return HandoffSpec(**fields)


@pytest.fixture
def someone(world):
    return Person.objects.create(name="甲", village=world.village)


def test_a_schedule_reads_back_as_written_in_the_order_tests_fall_due():
    later = planned(1, 4)
    at_once = ScheduledTest("screening", 1, None, day(20, 13))
    detail = schedule.detail_of([*later, at_once])
    assert detail["tests"][1] == {
        "stage": "quarantine",
        "day": 1,
        "not_before": "2021-09-14T16:00:00Z",
        "due_at": "2021-09-15T16:00:00Z",
        "done": False,
    }
    # A test without not_before is due at once: first, and current.
    assert schedule.tests_of(detail) == [at_once, *later]
    assert schedule.current([*later, at_once]) == at_once


def test_a_schedule_with_a_bad_time_is_refused_naming_the_test():
    with pytest.raises(ValueError, match=r"tests\[1\]\.not_before"):
        schedule.tests_of(
            {
                "tests": [
                    {"due_at": "2021-09-15T16:00:00Z"},
                    {"due_at": "2021-09-16T16:00:00Z", "not_before": "soon"},
                ]
            }
        )
    with pytest.raises(ValueError, match=r"tests\[0\] has no due_at"):
        schedule.tests_of({"tests": [{"day": 1}]})


def test_a_test_hand_off_without_a_schedule_or_with_another_window_is_refused(world, someone):
    with pytest.raises(ValueError, match="schedule"):
        spec(someone, world.village, planned(1), detail={"day": 1})
    with pytest.raises(ValueError, match="first test not done"):
        spec(someone, world.village, planned(1, 4), not_before=day(18), due_at=day(19))


def test_a_planned_test_hand_off_must_carry_its_schedule(world, someone):
    row = spec(someone, world.village, planned(1, 4))
    good = HandoffTemplate(
        suffix=":tests",
        kind="test",
        from_task_force="investigation",
        to_task_force="testing",
        not_before=row.not_before,
        due_at=row.due_at,
        detail=row.detail,
    )
    records = pl.DataFrame(
        {"origin": [row.origin], "person_id": [someone.pk], "area_id": [world.village.pk]}
    ).with_columns(plan=pl.lit(0))
    for bad in ({"detail": {"day": 1}}, {"due_at": day(20)}, {"not_before": None}):
        with pytest.raises(ValueError, match="test hand-off"):
            do_create_planned_handoffs(
                records, {0: [dataclasses.replace(good, **bad)]}, acting_user=ACTOR
            )
    assert not Handoff.objects.exists()
    assert do_create_planned_handoffs(records, {0: [good]}, acting_user=ACTOR) == 1
    h = Handoff.objects.get()
    assert h.key == row.key
    assert schedule.tests_of(h.detail) == planned(1, 4)
    assert (h.not_before, h.due_at) == (row.not_before, row.due_at)


def test_each_sample_marks_the_current_test_done_and_the_last_closes_the_hand_off(world, someone):
    do_create_handoffs([spec(someone, world.village, planned(1, 4))], acting_user=ACTOR)
    h = Handoff.objects.get()
    with pytest.raises(ValueError, match="not due before"):
        do_record_scheduled_test(
            h, sampled_at=day(15) - dt.timedelta(minutes=1), tube="T0", acting_user=ACTOR
        )
    h = do_record_scheduled_test(h, sampled_at=day(15, 9), tube="T1", acting_user=ACTOR)
    # It rolls on to day 4's window, still open.
    assert (h.status, h.not_before, h.due_at) == ("open", day(18), day(19))
    first, second = schedule.tests_of(h.detail)
    assert (first.done, first.tube, first.sampled_at, second.done) == (
        True,
        "T1",
        day(15, 9),
        False,
    )
    assert AuditEvent.objects.filter(action="handoff.test_done").count() == 1
    h = do_record_scheduled_test(
        h, sampled_at=day(18, 10), tube="T2", acting_user=ACTOR, outcome="Sampled in tube T2"
    )
    assert (h.status, h.outcome, h.closed_by_name) == ("done", "Sampled in tube T2", "test")
    assert [t.tube for t in schedule.tests_of(h.detail)] == ["T1", "T2"]
    with pytest.raises(ValueError, match="already done"):
        do_record_scheduled_test(h, sampled_at=day(19), tube="T3", acting_user=ACTOR)


def test_a_test_hand_off_written_before_schedules_is_one_test(world, someone):
    # A row of the former shape (one hand-off per test day), as a migration left it.
    h = Handoff.objects.create(
        key="tracing.contact:9:test:q4",
        kind="test",
        person=someone,
        area=world.village,
        from_task_force="investigation",
        to_task_force="testing",
        origin="tracing.contact:9",
        not_before=day(18),
        due_at=day(19),
        detail={"stage": "quarantine", "day": 4},
    )
    h = do_record_scheduled_test(h, sampled_at=day(18, 8), tube="T9", acting_user=ACTOR)
    assert h.status == "done"
    assert [(t.day, t.tube) for t in schedule.tests_of(h.detail)] == [(4, "T9")]


def test_extending_a_schedule_keeps_what_was_done_and_reopens_a_finished_one(world, someone):
    do_create_handoffs([spec(someone, world.village, planned(1))], acting_user=ACTOR)
    h = do_record_scheduled_test(
        Handoff.objects.get(), sampled_at=day(15, 9), tube="T1", acting_user=ACTOR
    )
    assert h.status == "done"
    stronger = spec(someone, world.village, planned(1, 4, 14))
    assert do_extend_test_schedules([stronger], acting_user=ACTOR, reason="upgraded") == 1
    h.refresh_from_db()
    assert (h.status, h.closed_at, h.not_before) == ("open", None, day(18))
    assert [(t.day, t.done) for t in schedule.tests_of(h.detail)] == [
        (1, True),
        (4, False),
        (14, False),
    ]
    # The same schedule again changes nothing.
    assert do_extend_test_schedules([stronger], acting_user=ACTOR, reason="again") == 0


def test_a_done_test_the_new_schedule_lacks_is_kept_and_a_cancelled_schedule_stays(world, someone):
    do_create_handoffs([spec(someone, world.village, planned(1, 4))], acting_user=ACTOR)
    h = do_record_scheduled_test(
        Handoff.objects.get(), sampled_at=day(15, 9), tube="T1", acting_user=ACTOR
    )
    other = planned(2, 3, stage="quarantine")
    do_extend_test_schedules([spec(someone, world.village, other)], acting_user=ACTOR, reason="x")
    h.refresh_from_db()
    assert [(t.day, t.done) for t in schedule.tests_of(h.detail)] == [
        (1, True),
        (2, False),
        (3, False),
    ]
    assert (h.not_before, h.due_at) == (day(16), day(17))
    do_cancel_handoffs(Handoff.objects.all(), acting_user=ACTOR, reason="released")
    assert (
        do_extend_test_schedules(
            [spec(someone, world.village, planned(5))], acting_user=ACTOR, reason="y"
        )
        == 0
    )
    h.refresh_from_db()
    assert h.status == "cancelled"
