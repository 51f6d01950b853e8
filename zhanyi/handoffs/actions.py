"""Writes of hand-offs (工作交接): work one task force passes to another.

Producers (tracing, testing, screening) call ``do_create_handoffs`` with specs
whose ``key`` names the work uniquely, so replaying the same event creates
nothing new. Consumers close a hand-off when the work is done, or cancel the
ones that no longer apply (a contact released early, a pool re-tested
negative).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from zhanyi.accounts.models import TaskForceKind
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.db import bulk
from zhanyi.core.lengths import too_long
from zhanyi.handoffs import schedule
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus

# Sets, not the enums' ``values`` (a list rebuilt on every access): a contact
# graph validates hundreds of thousands of specs.
_KINDS = frozenset(HandoffKind.values)
_TASK_FORCES = frozenset(TaskForceKind.values)


@dataclass(frozen=True)
class HandoffSpec:
    key: str
    kind: str
    person_id: int
    area_id: int
    from_task_force: str
    to_task_force: str
    origin: str
    due_at: dt.datetime
    not_before: dt.datetime | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown hand-off kind {self.kind!r}")
        for name in ("from_task_force", "to_task_force"):
            if getattr(self, name) not in _TASK_FORCES:
                raise ValueError(f"unknown task force {getattr(self, name)!r} in {name}")
        if timezone.is_naive(self.due_at):
            raise ValueError("due_at must be timezone-aware")
        if len(self.key) > 128:
            raise ValueError(f"hand-off key longer than 128 characters: {self.key[:40]}…")
        if self.kind == HandoffKind.TEST:
            _check_schedule(self.key, self.detail, self.not_before, self.due_at)


def _check_schedule(key: str, detail, not_before, due_at) -> None:
    """A test hand-off carries its schedule, and its window is that of the
    schedule's first test not yet done."""
    if "tests" not in (detail or {}):
        raise ValueError(f"test hand-off {key}: detail needs the schedule ('tests')")
    now = schedule.current(schedule.tests_of(detail))
    if now is None:
        raise ValueError(f"test hand-off {key}: every test of the schedule is done already")
    if (now.not_before, now.due_at) != (not_before, due_at):
        raise ValueError(
            f"test hand-off {key}: not_before/due_at must be those of the first test not done"
        )


_BATCH = 5000


@transaction.atomic
def do_create_handoffs(specs: Iterable[HandoffSpec], *, acting_user, origin_label: str = "") -> int:
    """Create the hand-offs whose keys are new; return how many were created.

    One audit record covers the batch (a contact graph can hand off hundreds
    of thousands of tests at once); each hand-off names its origin.
    """
    specs = list(specs)
    if not specs:
        return 0
    kinds = _insert_new(specs)
    return _audit_created(kinds, len(specs), acting_user, origin_label or specs[0].origin)


def _audit_created(kinds: dict[str, int], offered: int, acting_user, label: str) -> int:
    """One audit record for a batch of created hand-offs; how many were created."""
    created = sum(kinds.values())
    if created:
        audit.record(
            actor=acting_user,
            action="handoff.create",
            object_type="handoffs.handoff",
            object_label=label,
            detail={"created": created, "by_kind": kinds, "skipped": offered - created},
        )
    return created


_COLUMNS = (
    "key",
    "kind",
    "status",
    "person_id",
    "area_id",
    "from_task_force",
    "to_task_force",
    "origin",
    "not_before",
    "due_at",
    "detail",
    "created_at",
    "closed_by_name",
    "outcome",
)


def _insert_new(specs: list[HandoffSpec]) -> dict[str, int]:
    """Insert the specs whose keys are new (a contact graph hands off
    millions), in key order; the number created by kind."""
    now = timezone.now()
    rows = [
        (
            s.key,
            s.kind,
            HandoffStatus.OPEN.value,
            s.person_id,
            s.area_id,
            s.from_task_force,
            s.to_task_force,
            s.origin,
            s.not_before,
            s.due_at,
            s.detail,
            now,
            "",
            "",
        )
        for s in sorted(specs, key=lambda s: s.key)
    ]
    return bulk.insert_new(
        Handoff, _COLUMNS, rows, key="key", count_by="kind", direct_from=DIRECT_FROM
    )


#: From this many rows on, a batch is first copied straight into the table.
DIRECT_FROM = bulk.DIRECT_FROM


@dataclass(frozen=True)
class HandoffTemplate:
    """A hand-off without its producer record: what a plan gives every record
    it covers (the same deadlines, the same test schedule). ``spec`` makes the
    hand-off of one record; its key is the record's origin and ``suffix``."""

    suffix: str
    kind: str
    from_task_force: str
    to_task_force: str
    due_at: dt.datetime
    not_before: dt.datetime | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def spec(self, *, origin: str, person_id: int, area_id: int) -> HandoffSpec:
        return HandoffSpec(
            key=f"{origin}{self.suffix}",
            kind=self.kind,
            person_id=person_id,
            area_id=area_id,
            from_task_force=self.from_task_force,
            to_task_force=self.to_task_force,
            origin=origin,
            due_at=self.due_at,
            not_before=self.not_before,
            detail=self.detail,
        )


#: Columns of ``do_create_planned_handoffs``' records.
PLANNED_COLUMNS = ("origin", "person_id", "area_id", "plan")


@transaction.atomic
def do_create_planned_handoffs(
    records, plans: Mapping[int, Sequence[HandoffTemplate]], *, acting_user, origin_label: str = ""
) -> int:
    """``do_create_handoffs`` for producers that hand off hundreds of
    thousands of records at once (a contact graph): ``records`` is a Polars
    frame (``PLANNED_COLUMNS``: ``origin``, ``person_id``, ``area_id`` and the
    number of its ``plan``), ``plans`` the hand-offs (templates) each plan
    gives a record. A graph's contacts share a handful of plans.

    The same checks (on each template, as a spec of the longest origin),
    the same idempotence by key, one audit record for the batch. The rows
    are the records joined to their plans' templates by ``bulk.insert_joined``
    (on PostgreSQL made by the database: no hand-off row is formatted, sent
    or parsed, and each template's detail is decoded once)."""
    import polars as pl

    missing = [c for c in PLANNED_COLUMNS if c not in records.columns]
    if missing:
        raise ValueError(f"planned hand-offs: missing columns {', '.join(missing)}")
    records = records.select(PLANNED_COLUMNS)
    if any(records[c].null_count() for c in PLANNED_COLUMNS):
        raise ValueError("planned hand-offs: every record needs an origin, person, area and plan")
    unknown = set(records["plan"].unique().to_list()) - set(plans)
    if unknown:
        raise ValueError(f"planned hand-offs: no plan {min(unknown)}")
    # Records whose plan hands nothing off (a companion) are left out.
    records = records.filter(pl.col("plan").is_in([n for n, t in plans.items() if t]))
    if records.height == 0:
        return 0
    longest = records["origin"].str.len_chars().max()
    for templates in plans.values():
        for t in templates:
            t.spec(origin="x" * longest, person_id=0, area_id=0)  # the spec's checks
    records = records.sort("origin")
    offered = sum(n * len(plans[plan]) for plan, n in records.group_by("plan").len().iter_rows())
    kinds = bulk.insert_joined(
        Handoff,
        _planned_fields(timezone.now()),
        records,
        [
            {
                "plan": plan,
                "suffix": t.suffix,
                "kind": t.kind,
                "from_task_force": t.from_task_force,
                "to_task_force": t.to_task_force,
                "not_before": t.not_before,
                "due_at": t.due_at,
                "detail": t.detail,
            }
            for plan, group in plans.items()
            for t in group
        ],
        on="plan",
        key="key",
        count_by="kind",
        direct_from=DIRECT_FROM,
    )
    return _audit_created(kinds, offered, acting_user, origin_label or records["origin"][0])


def _planned_fields(now: dt.datetime) -> dict[str, Any]:
    """A planned hand-off's fields: from its record, from its plan's template
    (a hand-off's key is the record's origin and the template's suffix), or
    the same for the batch."""
    return {
        "key": bulk.concat(bulk.record("origin"), bulk.template("suffix")),
        "kind": bulk.template("kind"),
        "status": HandoffStatus.OPEN.value,
        "person_id": bulk.record("person_id"),
        "area_id": bulk.record("area_id"),
        "from_task_force": bulk.template("from_task_force"),
        "to_task_force": bulk.template("to_task_force"),
        "origin": bulk.record("origin"),
        "not_before": bulk.template("not_before"),
        "due_at": bulk.template("due_at"),
        "detail": bulk.template("detail"),
        "created_at": now,
        "closed_by_name": "",
        "outcome": "",
    }


def _mark_done(handoff: Handoff, acting_user, outcome: str) -> list[str]:
    """Set a hand-off done by ``acting_user`` with ``outcome``; the fields to save."""
    if long := too_long(Handoff, "outcome", outcome):
        raise ValidationError({"outcome": long})
    handoff.status = HandoffStatus.DONE
    handoff.closed_at = timezone.now()
    handoff.closed_by_name = actor_name(acting_user)
    handoff.outcome = outcome
    return ["status", "closed_at", "closed_by_name", "outcome"]


@transaction.atomic
def do_close_handoff(handoff: Handoff, *, acting_user, outcome: str = "", request=None) -> Handoff:
    """Mark a hand-off done. Closing a closed one is refused."""
    handoff = Handoff.objects.select_for_update().get(pk=handoff.pk)
    if handoff.status != HandoffStatus.OPEN:
        raise ValueError(f"hand-off {handoff.pk} is already {handoff.status}")
    handoff.save(update_fields=_mark_done(handoff, acting_user, outcome))
    audit.record(
        actor=acting_user,
        action="handoff.close",
        obj=handoff,
        detail={"kind": handoff.kind, "outcome": handoff.outcome},
        request=request,
        area=handoff.area,
    )
    return handoff


@transaction.atomic
def do_cancel_handoffs(handoffs: QuerySet[Handoff], *, acting_user, reason: str) -> int:
    """Cancel the open hand-offs in ``handoffs`` (work no longer needed)."""
    if not reason.strip():
        raise ValueError("a reason is required to cancel hand-offs")
    if long := too_long(Handoff, "outcome", reason):
        raise ValidationError({"reason": long})
    open_ = handoffs.filter(status=HandoffStatus.OPEN)
    ids = list(open_.values_list("pk", flat=True))
    if not ids:
        return 0
    Handoff.objects.filter(pk__in=ids).update(
        status=HandoffStatus.CANCELLED,
        closed_at=timezone.now(),
        closed_by_name=actor_name(acting_user),
        outcome=reason,
    )
    audit.record(
        actor=acting_user,
        action="handoff.cancel",
        object_type="handoffs.handoff",
        object_label=reason,
        detail={"cancelled": len(ids), "ids": ids[:1000]},
    )
    return len(ids)


@transaction.atomic
def do_record_scheduled_test(
    handoff: Handoff, *, sampled_at: dt.datetime, tube: str, acting_user, outcome: str = ""
) -> Handoff:
    """A sample for a test hand-off (``zhanyi.handoffs.schedule``): its current
    test is done; the hand-off moves on to the next test's window or, after
    the last test, is done with ``outcome``. A hand-off that is not open, or
    whose current test is not yet due at ``sampled_at``, is refused."""
    handoff = Handoff.objects.select_for_update().get(pk=handoff.pk)
    if handoff.kind != HandoffKind.TEST:
        raise ValueError(f"hand-off {handoff.pk} is a {handoff.kind} hand-off, not a test")
    if handoff.status != HandoffStatus.OPEN:
        raise ValueError(f"hand-off {handoff.pk} is already {handoff.status}")
    tests = schedule.tests_of(handoff.detail, not_before=handoff.not_before, due_at=handoff.due_at)
    tests, done = schedule.mark_done(tests, sampled_at=sampled_at, tube=tube)
    handoff.detail = {**handoff.detail, **schedule.detail_of(tests)}
    fields = ["detail"]
    following = schedule.current(tests)
    if following is None:
        fields += _mark_done(handoff, acting_user, outcome)
    else:
        handoff.not_before, handoff.due_at = following.not_before, following.due_at
        fields += ["not_before", "due_at"]
    handoff.save(update_fields=fields)
    audit.record(
        actor=acting_user,
        action="handoff.close" if following is None else "handoff.test_done",
        obj=handoff,
        detail={
            "kind": handoff.kind,
            "stage": done.stage,
            "day": done.day,
            "tube": tube,
            "next": None if following is None else schedule.iso(following.not_before),
            "outcome": handoff.outcome,
        },
        area=handoff.area,
    )
    return handoff


@transaction.atomic
def do_extend_test_schedules(specs: Iterable[HandoffSpec], *, acting_user, reason: str) -> int:
    """Give existing test hand-offs the schedules of ``specs`` (same keys),
    keeping the tests they have done (``schedule.extended``): a secondary
    contact become close gets the close contact's tests. A hand-off that was
    done opens again when the new schedule has tests left; a cancelled one
    stays cancelled; a spec whose key does not exist yet is left to
    ``do_create_handoffs``. Returns how many hand-offs changed."""
    if not reason.strip():
        raise ValueError("a reason is required to change test schedules")
    by_key = {s.key: s for s in specs if s.kind == HandoffKind.TEST}
    if not by_key:
        return 0
    changed: list[Handoff] = []
    for handoff in Handoff.objects.select_for_update().filter(
        key__in=list(by_key), kind=HandoffKind.TEST
    ):
        if handoff.status == HandoffStatus.CANCELLED:
            continue
        spec = by_key[handoff.key]
        old = schedule.tests_of(
            handoff.detail, not_before=handoff.not_before, due_at=handoff.due_at
        )
        tests = schedule.extended(old, schedule.tests_of(spec.detail))
        if tests == old:
            continue
        handoff.detail = {**handoff.detail, **schedule.detail_of(tests)}
        following = schedule.current(tests)
        if following is not None:
            handoff.not_before, handoff.due_at = following.not_before, following.due_at
            if handoff.status == HandoffStatus.DONE:
                handoff.status = HandoffStatus.OPEN
                handoff.closed_at = None
                handoff.closed_by_name = ""
                handoff.outcome = ""
        changed.append(handoff)
    Handoff.objects.bulk_update(
        changed,
        ["detail", "not_before", "due_at", "status", "closed_at", "closed_by_name", "outcome"],
    )
    if changed:
        audit.record(
            actor=acting_user,
            action="handoff.reschedule",
            object_type="handoffs.handoff",
            object_label=reason[:255],
            detail={"changed": len(changed), "ids": [h.pk for h in changed][:1000]},
        )
    return len(changed)


@transaction.atomic
def do_update_handoff_details(specs: Iterable[HandoffSpec], *, acting_user, reason: str) -> int:
    """Give open hand-offs other than tests the ``detail`` of ``specs`` (same
    keys) where it differs: a secondary contact become close is transferred
    for the close contact's days. Returns how many changed."""
    if not reason.strip():
        raise ValueError("a reason is required to change hand-offs")
    by_key = {s.key: s for s in specs if s.kind != HandoffKind.TEST}
    if not by_key:
        return 0
    changed = [
        h
        for h in Handoff.objects.select_for_update().filter(
            key__in=list(by_key), status=HandoffStatus.OPEN
        )
        if h.kind != HandoffKind.TEST and h.detail != by_key[h.key].detail
    ]
    for h in changed:
        h.detail = by_key[h.key].detail
    Handoff.objects.bulk_update(changed, ["detail"])
    if changed:
        audit.record(
            actor=acting_user,
            action="handoff.redetail",
            object_type="handoffs.handoff",
            object_label=reason[:255],
            detail={"changed": len(changed), "ids": [h.pk for h in changed][:1000]},
        )
    return len(changed)
