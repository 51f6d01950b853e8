"""Field work: outcomes, hand-offs, steps, reassignment, deadlines and escalation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhanyi.core.audit import SystemActor
from zhanyi.core.models import AuditEvent
from zhanyi.handoffs import schedule
from zhanyi.handoffs.models import Handoff
from zhanyi.screening.actions import (
    do_add_step,
    do_escalate_overdue,
    do_import_push_list,
    do_reassign_task,
    do_record_outcome,
)
from zhanyi.screening.models import ScreeningTask, TaskEvent

from .conftest import csv_bytes, row_for, write_file


@pytest.fixture
def task(world, index, putian, tmp_path) -> ScreeningTask:
    path = write_file(tmp_path, "list.csv", csv_bytes([row_for(world, "陈建国")]))
    do_import_push_list(putian, path, filename="list.csv", acting_user=world.tracer)
    return ScreeningTask.objects.get()


def test_found_in_central_quarantine_with_a_test_hands_off_transfer_and_test(world, task):
    do_record_outcome(
        task,
        acting_user=world.village_member,
        outcome="found_in_city",
        found_where="at home",
        measure="centralised_quarantine",
        test_arranged=True,
    )
    task.refresh_from_db()
    assert task.status == "closed" and task.closed_by_name == "villager"
    kinds = set(Handoff.objects.values_list("kind", "to_task_force"))
    assert kinds == {("transfer", "transfer"), ("test", "testing")}
    handoff = Handoff.objects.get(kind="transfer")
    assert handoff.area == world.village and handoff.origin == f"screening.task:{task.pk}"
    # The test is a schedule of one test, due within the protocol's window.
    test = Handoff.objects.get(kind="test")
    (only,) = schedule.tests_of(test.detail)
    assert (only.stage, only.not_before, only.due_at, only.done) == (
        "screening",
        None,
        test.due_at,
        False,
    )
    assert test.due_at == task.closed_at + dt.timedelta(hours=24)
    assert AuditEvent.objects.filter(
        action="screening.task.outcome", object_id=str(task.pk)
    ).exists()
    assert TaskEvent.objects.filter(task=task, kind="closed").exists()


def test_home_quarantine_hands_off_control_to_the_village_team(world, task):
    do_record_outcome(
        task,
        acting_user=world.village_member,
        outcome="found_in_city",
        found_where="work",
        measure="home_quarantine",
    )
    assert list(Handoff.objects.values_list("kind", flat=True)) == ["control"]


def test_not_in_the_city_needs_where_they_are_and_hands_nothing_off(world, task):
    with pytest.raises(ValidationError) as error:
        do_record_outcome(task, acting_user=world.village_member, outcome="not_in_city")
    assert "current_location" in error.value.message_dict
    do_record_outcome(
        task, acting_user=world.village_member, outcome="not_in_city", current_location="福州市"
    )
    assert Handoff.objects.count() == 0


def test_found_needs_a_place_and_a_measure(world, task):
    with pytest.raises(ValidationError) as error:
        do_record_outcome(task, acting_user=world.village_member, outcome="found_in_city")
    assert {"found_where", "measure"} <= set(error.value.message_dict)
    task.refresh_from_db()
    assert task.status == "open"


def test_a_closed_task_cannot_be_closed_again(world, task):
    do_record_outcome(task, acting_user=world.village_member, outcome="not_found")
    with pytest.raises(ValidationError):
        do_record_outcome(task, acting_user=world.village_member, outcome="not_found")


def test_a_team_of_another_village_or_county_cannot_record_an_outcome(world, task):
    from zhanyi.accounts.models import Role
    from zhanyi.accounts.testing import make_user

    neighbour = make_user("neighbour", Role.FIELD, world.village2)
    for user in (neighbour, world.other_county_staff, world.outsider):
        with pytest.raises(PermissionDenied):
            do_record_outcome(task, acting_user=user, outcome="not_found")


def test_a_step_is_recorded_with_its_time(world, task):
    event = do_add_step(task, acting_user=world.village_member, kind="contacted", notes="rang")
    assert event.at is not None and event.detail["notes"] == "rang"
    task.refresh_from_db()
    assert "rang" in task.notes


def test_a_task_is_reassigned_with_a_reason_to_another_village(world, task):
    with pytest.raises(ValidationError):
        do_reassign_task(task, world.village2, acting_user=world.tracer, reason=" ")
    do_reassign_task(task, world.village2, acting_user=world.tracer, reason="moved last week")
    task.refresh_from_db()
    assert task.area == world.village2
    event = TaskEvent.objects.get(task=task, kind="reassigned")
    assert event.detail["reason"] == "moved last week"


def test_reassigning_outside_ones_jurisdiction_is_refused(world, task):
    with pytest.raises(ValidationError):
        do_reassign_task(task, world.other_village, acting_user=world.tracer, reason="x")
    with pytest.raises(PermissionDenied):
        do_reassign_task(task, world.village, acting_user=world.other_county_staff, reason="x")


def test_an_overdue_task_is_escalated_to_the_township_once(world, task):
    assert do_escalate_overdue(acting_user=SystemActor("test")) == 0
    later = task.due_at + dt.timedelta(minutes=1)
    assert do_escalate_overdue(acting_user=SystemActor("test"), now=later) == 1
    task.refresh_from_db()
    assert task.escalated_to == world.township
    assert do_escalate_overdue(acting_user=SystemActor("test"), now=later) == 0


def test_the_deadline_is_the_protocols_find_within_hours(
    world, index, putian, tmp_path, monkeypatch
):
    from zhanyi.engine.protocol import load_protocol
    from zhanyi.screening.actions import common, dispatch

    assert common.find_within() == dt.timedelta(hours=load_protocol().screening.find_within_hours)
    monkeypatch.setattr(dispatch, "find_within", lambda: dt.timedelta(hours=3))
    path = write_file(tmp_path, "list.csv", csv_bytes([row_for(world, "林秀英")]))
    do_import_push_list(putian, path, filename="list.csv", acting_user=world.tracer)
    task = ScreeningTask.objects.get()
    assert task.due_at - task.received_at == dt.timedelta(hours=3)
    assert task.due_at > timezone.now()


def test_many_outcomes_are_recorded_at_once_all_or_none(world, index, putian, tmp_path):
    from zhanyi.screening.actions import do_record_outcomes

    rows = [row_for(world, "陈建国"), row_for(world, "林秀英"), row_for(world, "黄志强")]
    path = write_file(tmp_path, "many.csv", csv_bytes(rows))
    do_import_push_list(putian, path, filename="many.csv", acting_user=world.tracer)
    tasks = {t.person.name: t for t in ScreeningTask.objects.select_related("person")}
    found = {"outcome": "found_in_city", "found_where": "home", "measure": "home_quarantine"}
    with pytest.raises(ValidationError):
        do_record_outcomes(
            [(tasks["陈建国"], found), (tasks["林秀英"], {"outcome": "not_in_city"})],
            acting_user=world.village_member,
        )
    assert ScreeningTask.objects.filter(status="closed").count() == 0
    closed = do_record_outcomes(
        [
            (tasks["陈建国"], {**found, "test_arranged": True}),
            (tasks["林秀英"], {"outcome": "not_in_city", "current_location": "莆田"}),
        ],
        acting_user=world.village_member,
    )
    assert closed == 2
    assert sorted(Handoff.objects.values_list("kind", flat=True)) == ["control", "test"]
    assert AuditEvent.objects.filter(action="screening.task.outcome").count() == 2
    with pytest.raises(PermissionDenied):
        do_record_outcomes([(tasks["黄志强"], found)], acting_user=world.other_county_staff)
