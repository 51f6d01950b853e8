"""Field work (排查落地): the team's outcome for a task, notes, reassignment.

An outcome closes the task and hands the person on: centralised quarantine
to the transfer task force, home quarantine or health monitoring to the
village team's control, a test arranged to the testing task force
(``zhanyi.handoffs``, idempotent by key). A person not in the city
goes on the reply list to the region that pushed them.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.accounts.roles import has_capability
from zhanyi.core import audit, jurisdiction
from zhanyi.core.lengths import too_long
from zhanyi.engine.protocol import Protocol, load_protocol
from zhanyi.handoffs import schedule
from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
from zhanyi.handoffs.models import HandoffKind
from zhanyi.handoffs.schedule import ScheduledTest
from zhanyi.places.models import Area
from zhanyi.screening.models import ScreeningTask, TaskEvent

from .common import actor_name
from .dispatch import recompute_codes

Outcome = ScreeningTask.Outcome
Measure = ScreeningTask.Measure


def check_task_access(acting_user, task: ScreeningTask, capability: str = "edit_person") -> None:
    if not has_capability(acting_user, capability):
        raise PermissionDenied(f"requires the {capability!r} capability")
    if not jurisdiction.can_see_area(acting_user, task.area):
        raise PermissionDenied("outside your jurisdiction")


def _locked_open(task: ScreeningTask) -> ScreeningTask:
    task = (
        ScreeningTask.objects.select_for_update().select_related("area", "person").get(pk=task.pk)
    )
    if task.status != ScreeningTask.Status.OPEN:
        raise ValidationError(_("This task is closed already."))
    return task


def _check_outcome(
    outcome: str, found_where: str, measure: str, current_location: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose an outcome.")]
    elif outcome == Outcome.FOUND_IN_CITY:
        if not found_where.strip():
            errors["found_where"] = [_("Say where the person was found.")]
        if measure not in Measure.values:
            errors["measure"] = [_("Choose the measure taken.")]
    elif outcome == Outcome.NOT_IN_CITY and not current_location.strip():
        errors["current_location"] = [_("Say where the person is now (city, province).")]
    if outcome != Outcome.FOUND_IN_CITY and measure:
        errors["measure"] = [_("A measure is taken only for a person found in the city.")]
    for field, value in (("found_where", found_where), ("current_location", current_location)):
        if long := too_long(ScreeningTask, field, value.strip()):
            errors[field] = long
    return errors


_OUTCOME_FIELDS = [
    "status",
    "outcome",
    "found_where",
    "measure",
    "test_arranged",
    "current_location",
    "notes",
    "closed_at",
    "closed_by_name",
]


def _close(
    task: ScreeningTask,
    *,
    outcome: str,
    found_where: str = "",
    measure: str = "",
    test_arranged: bool = False,
    current_location: str = "",
    notes: str = "",
    now: dt.datetime,
    by: str,
) -> TaskEvent:
    """Check the outcome and set it on ``task`` (not saved); return its unsaved step."""
    errors = _check_outcome(outcome, found_where, measure, current_location)
    if errors:
        raise ValidationError(errors)
    task.status = ScreeningTask.Status.CLOSED
    task.outcome = outcome
    task.found_where = found_where.strip()
    task.measure = measure if outcome == Outcome.FOUND_IN_CITY else ""
    task.test_arranged = bool(test_arranged) and outcome == Outcome.FOUND_IN_CITY
    task.current_location = current_location.strip()
    if notes.strip():
        task.notes = (task.notes + "\n" if task.notes else "") + notes.strip()
    task.closed_at = now
    task.closed_by_name = by
    return TaskEvent(
        task=task,
        kind=TaskEvent.Kind.CLOSED,
        at=now,
        by_name=by,
        detail={
            "outcome": outcome,
            "measure": task.measure,
            "test_arranged": task.test_arranged,
            "where": task.found_where or task.current_location,
        },
    )


def _audit_outcome(task: ScreeningTask, handoffs: int, *, acting_user, request=None) -> None:
    audit.record(
        actor=acting_user,
        action="screening.task.outcome",
        obj=task,
        detail={
            "outcome": task.outcome,
            "measure": task.measure,
            "test_arranged": task.test_arranged,
            "handoffs": handoffs,
            "late": task.closed_at is not None and task.closed_at > task.due_at,
        },
        request=request,
        area=task.area,
    )


@transaction.atomic
def do_record_outcome(
    task: ScreeningTask,
    *,
    acting_user,
    outcome: str,
    found_where: str = "",
    measure: str = "",
    test_arranged: bool = False,
    current_location: str = "",
    notes: str = "",
    at: dt.datetime | None = None,
    request=None,
) -> ScreeningTask:
    """Close the task with the team's outcome; hand the person on; audit it."""
    check_task_access(acting_user, task)
    task = _locked_open(task)
    event = _close(
        task,
        outcome=outcome,
        found_where=found_where,
        measure=measure,
        test_arranged=test_arranged,
        current_location=current_location,
        notes=notes,
        now=at or timezone.now(),
        by=actor_name(acting_user),
    )
    task.save(update_fields=_OUTCOME_FIELDS)
    event.save()
    handoffs = do_create_handoffs(
        _handoff_specs(task), acting_user=acting_user, origin_label=f"screening.task:{task.pk}"
    )
    _audit_outcome(task, handoffs, acting_user=acting_user, request=request)
    recompute_codes([task.person_id], reason=f"screening.task:{task.pk}", acting_user=acting_user)
    return task


@transaction.atomic
def do_record_outcomes(
    outcomes: list[tuple[ScreeningTask, dict]], *, acting_user, at: dt.datetime | None = None
) -> int:
    """Close many tasks at once (a team's round, the demo), each with its outcome
    fields as ``do_record_outcome`` takes them; all or none. One audit record
    per task; hand-offs and health codes in one batch. Returns how many closed."""
    if not outcomes:
        return 0
    now = at or timezone.now()
    by = actor_name(acting_user)
    for given, _values in outcomes:
        check_task_access(acting_user, given)
    ids = [t.pk for t, _values in outcomes]
    locked = {
        t.pk: t
        for t in ScreeningTask.objects.select_for_update()
        .select_related("area", "person")
        .filter(pk__in=ids, status=ScreeningTask.Status.OPEN)
    }
    tasks, events, specs = [], [], []
    handoffs: dict[int, int] = {}
    protocol = load_protocol()
    for given, values in outcomes:
        task = locked.get(given.pk)
        if task is None:
            raise ValidationError(_("This task is closed already.") + f" ({given.pk})")
        events.append(_close(task, now=now, by=by, **values))
        tasks.append(task)
        mine = _handoff_specs(task, protocol)
        handoffs[task.pk] = len(mine)
        specs.extend(mine)
    # One UPDATE per task: Django's bulk_update builds a CASE per field and
    # row, which costs more than the updates themselves.
    for task in tasks:
        ScreeningTask.objects.filter(pk=task.pk).update(
            **{f: getattr(task, f) for f in _OUTCOME_FIELDS}
        )
    TaskEvent.objects.bulk_create(events, batch_size=2000)
    do_create_handoffs(specs, acting_user=acting_user, origin_label="screening.outcomes")
    for task in tasks:
        _audit_outcome(task, handoffs[task.pk], acting_user=acting_user)
    recompute_codes(
        [t.person_id for t in tasks], reason="screening: outcomes recorded", acting_user=acting_user
    )
    return len(tasks)


def _handoff_specs(task: ScreeningTask, protocol: Protocol | None = None) -> list[HandoffSpec]:
    """What a found person is handed on to: transfer or the village's control, and a test."""
    if task.outcome != Outcome.FOUND_IN_CITY:
        return []
    protocol = protocol or load_protocol()
    origin = f"screening.task:{task.pk}"
    now = task.closed_at
    assert now is not None  # the outcome closed the task
    specs = []

    def spec(kind: str, to: str, hours: int) -> HandoffSpec:
        detail = {"category": task.category, "measure": task.measure, "where": task.found_where}
        due_at = now + dt.timedelta(hours=hours)
        if kind == HandoffKind.TEST:
            # A schedule of one test, at once (zhanyi.handoffs.schedule).
            detail.update(schedule.detail_of([ScheduledTest("screening", 1, None, due_at)]))
        return HandoffSpec(
            key=f"{origin}:{kind}",
            kind=kind,
            person_id=task.person_id,
            area_id=task.area_id,
            from_task_force=TaskForceKind.INVESTIGATION,
            to_task_force=to,
            origin=origin,
            due_at=due_at,
            detail=detail,
        )

    if task.measure == Measure.CENTRALISED_QUARANTINE:
        specs.append(
            spec(HandoffKind.TRANSFER, TaskForceKind.TRANSFER, protocol.deadlines.transfer_hours)
        )
    else:
        specs.append(
            spec(HandoffKind.CONTROL, TaskForceKind.COMMUNITY, protocol.deadlines.control_hours)
        )
    if task.test_arranged:
        specs.append(
            spec(
                HandoffKind.TEST,
                TaskForceKind.TESTING,
                protocol.testing.scheduled_test_window_hours,
            )
        )
    return specs


@transaction.atomic
def do_add_step(
    task: ScreeningTask, *, acting_user, kind: str, notes: str = "", request=None
) -> TaskEvent:
    """Record a step (contacted the person, a note) with its time."""
    if kind not in (TaskEvent.Kind.CONTACTED, TaskEvent.Kind.NOTE):
        raise ValidationError({"kind": [_("Unknown step.")]})
    check_task_access(acting_user, task)
    task = _locked_open(task)
    if kind == TaskEvent.Kind.NOTE and not notes.strip():
        raise ValidationError({"notes": [_("Write the note.")]})
    event = TaskEvent.objects.create(
        task=task,
        kind=kind,
        at=timezone.now(),
        by_name=actor_name(acting_user),
        detail={"notes": notes.strip()[:1000]},
    )
    if notes.strip():
        task.notes = (task.notes + "\n" if task.notes else "") + notes.strip()
        task.save(update_fields=["notes"])
    audit.record(
        actor=acting_user,
        action=f"screening.task.{kind}",
        obj=task,
        detail={"notes": notes.strip()[:200]},
        request=request,
        area=task.area,
    )
    return event


@transaction.atomic
def do_reassign_task(
    task: ScreeningTask, area: Area, *, acting_user, reason: str, request=None
) -> ScreeningTask:
    """Give the task to another village's team (or the manual queue's area), with a reason."""
    if not has_capability(acting_user, "edit_operations"):
        raise PermissionDenied("requires the 'edit_operations' capability")
    check_task_access(acting_user, task, "edit_operations")
    task = _locked_open(task)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the task is reassigned.")]})
    if not jurisdiction.can_see_area(acting_user, area):
        raise ValidationError(
            {"area": [_("The area %(area)s is outside your jurisdiction.") % {"area": area.name}]}
        )
    if area.level not in ("village", "township", "county"):
        raise ValidationError({"area": [_("Choose a village (or a township's manual queue).")]})
    if area.pk == task.area_id:
        raise ValidationError({"area": [_("The task is there already.")]})
    old = task.area
    task.area = area
    task.manual = area.level != "village"
    task.save(update_fields=["area", "manual"])
    TaskEvent.objects.create(
        task=task,
        kind=TaskEvent.Kind.REASSIGNED,
        at=timezone.now(),
        by_name=actor_name(acting_user),
        detail={"from": old.code, "to": area.code, "reason": reason.strip()[:255]},
    )
    audit.record(
        actor=acting_user,
        action="screening.task.reassign",
        obj=task,
        detail={"from": old.code, "to": area.code, "reason": reason.strip()[:255]},
        request=request,
        area=area,
    )
    return task
