"""Fold the per-day test hand-offs of old databases into test schedules.

Before test schedules (``zhanyi.command.schedule``), tracing handed testing one
``test`` hand-off per test day of a contact, keyed
``tracing.contact:<pk>:test:q<n>`` (quarantine day n) and
``tracing.contact:<pk>:test:m<n>`` (home health monitoring day n). A database
that ran that code still holds them: each reads as a schedule of one test, so
a contact shows as several due tests, and tracing run again writes the
contact's ``tracing.contact:<pk>:tests`` schedule beside them.

``fold_test_days`` makes each contact's per-day rows one schedule row, as
tracing writes it now: the same tests in the order they fall due, those done
kept done (with the tube and sampling time of the sample that did them), the
row's window that of the first test not done. One of the rows (the contact's
``:tests`` row when it has one already, else its oldest per-day row) becomes
the schedule, keeping its id and creation time; every key pointing at the
others (a sample's ``handoff``) is moved to it, and the others are deleted.

Which status the schedule gets (the rules of ``schedule`` and
``do_extend_test_schedules``):

- a test done in any row is done;
- a test still open in any row is open, and then the schedule is open; the
  days that were cancelled are left out of it (nobody is to do them);
- with no test open, a schedule with cancelled days is cancelled (a released
  contact), keeping them as tests not done; with none, it is done;
- a contact's ``:tests`` row that was cancelled stays cancelled.

It runs in batches of persons (the person index finds their rows), each in
its own transaction, and holds one batch in memory at a time. Run again, it
finds nothing to fold. It takes an app registry (``apps`` of a migration, or
``django.apps.apps``) and reads every model from it, so the data migration
(``command`` 0007) and ``zhanyi handoffs fold-test-days`` share it.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, transaction

from zhanyi.command import schedule
from zhanyi.command.schedule import ScheduledTest

#: The key of a per-day test hand-off, as tracing wrote them before schedules.
PER_DAY_KEY = re.compile(r"^(?P<origin>tracing\.contact:\d+):test:(?P<stage>[qm])(?P<day>\d+)$")
_STAGES = {"q": "quarantine", "m": "home_health_monitoring"}

# The hand-off statuses (HandoffStatus, not imported: a migration passes
# its historical models).
OPEN, DONE, CANCELLED = "open", "done", "cancelled"
# Which state of one test wins when two rows carry it.
_RANK = {DONE: 2, OPEN: 1, CANCELLED: 0}

_FIELDS = (
    "id",
    "key",
    "origin",
    "person_id",
    "area_id",
    "status",
    "not_before",
    "due_at",
    "detail",
    "closed_at",
    "closed_by_name",
    "outcome",
)
#: What folding changes on the row that becomes the schedule.
_WRITTEN = (
    "key",
    "area",
    "status",
    "not_before",
    "due_at",
    "detail",
    "closed_at",
    "closed_by_name",
    "outcome",
)


@dataclass
class FoldReport:
    """What a fold did (or, in a dry run, would do)."""

    #: Schedule rows written: one per contact with per-day rows.
    schedules: int = 0
    #: Of them, contacts that had a ``:tests`` row already (the rows joined it).
    merged: int = 0
    #: Per-day rows folded into a schedule (and deleted, but the one kept).
    rows: int = 0
    #: Rows pointing at a folded row (samples) moved to its schedule.
    repointed: int = 0
    #: Schedules by the status they end with.
    by_status: dict[str, int] = field(default_factory=dict)
    #: Contacts left alone, with why (their rows name two persons, …).
    skipped: list[str] = field(default_factory=list)

    def add(self, other: FoldReport) -> None:
        self.schedules += other.schedules
        self.merged += other.merged
        self.rows += other.rows
        self.repointed += other.repointed
        for status, n in other.by_status.items():
            self.by_status[status] = self.by_status.get(status, 0) + n
        self.skipped += other.skipped

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def per_day_rows(Handoff):
    """The rows that may be per-day test hand-offs (``PER_DAY_KEY`` decides);
    a ``:tests`` key does not contain ``:test:``."""
    return Handoff._base_manager.filter(
        kind="test", origin__startswith="tracing.contact:", key__contains=":test:"
    )


def fold_test_days(
    apps, *, batch_size: int = 1000, dry_run: bool = False, actor_name: str, using: str = "default"
) -> FoldReport:
    """Fold every contact's per-day test hand-offs into one schedule row (see
    the module's docstring); ``batch_size`` persons at a time. ``actor_name``
    names who did it in the audit trail (one record per batch that folded or
    left alone a contact). A dry run
    changes nothing and reports what would change."""
    if batch_size < 1:
        raise ValueError("batch_size must be 1 or more")
    Handoff = apps.get_model("command", "Handoff")
    report = FoldReport()
    after = None
    while True:
        candidates = per_day_rows(Handoff).using(using)
        if after is not None:
            candidates = candidates.filter(person_id__gt=after)
        persons = list(
            candidates.order_by("person_id")
            .values_list("person_id", flat=True)
            .distinct()[:batch_size]
        )
        if not persons:
            return report
        after = persons[-1]
        with transaction.atomic(using=using):
            batch = _fold_batch(apps, persons, dry_run=dry_run, using=using)
            # A batch that only left contacts alone is recorded too: the
            # migration shows no report, so its audit record says which.
            if (batch.schedules or batch.skipped) and not dry_run:
                _audit(apps, batch, actor_name=actor_name, using=using)
        report.add(batch)


@dataclass
class _Slot:
    """One test of a contact, as the rows being folded carry it."""

    test: ScheduledTest
    state: str  # OPEN, DONE or CANCELLED
    row: dict[str, Any]  # the row it came from


def _fold_batch(apps, persons: list[int], *, dry_run: bool, using: str) -> FoldReport:
    Handoff = apps.get_model("command", "Handoff")
    # Rows pointing at these are found by this query as a subquery, not by
    # a list of thousands of ids.
    in_batch = per_day_rows(Handoff).using(using).filter(person_id__in=persons)
    rows = list(in_batch.select_for_update().order_by("id").values(*_FIELDS))
    by_origin: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        match = PER_DAY_KEY.match(row["key"])
        if match and match["origin"] == row["origin"]:
            row["slot"] = (_STAGES[match["stage"]], int(match["day"]))
            by_origin[row["origin"]].append(row)
    report = FoldReport()
    if not by_origin:
        return report
    schedules = {
        r["key"]: r
        for r in Handoff._base_manager.using(using)
        .filter(key__in=[f"{origin}:tests" for origin in by_origin])
        .select_for_update()
        .values(*_FIELDS, "kind")
    }
    samples = _samples_of(apps, in_batch.values("pk"), using)

    keepers: list[Any] = []
    moved: dict[int, int] = {}  # folded row id -> the schedule's id
    for origin, group in by_origin.items():
        existing = schedules.get(f"{origin}:tests")
        why = _refused(origin, group, existing)
        if why:
            report.skipped.append(why)
            continue
        try:
            fields = _schedule_fields(group, existing, samples)
        except ValueError as exc:  # a schedule in some row's detail that does not read
            report.skipped.append(f"{origin}: {exc}")
            continue
        keeper = existing or group[0]
        fields["key"] = f"{origin}:tests"
        # The area now responsible: the schedule's, else the latest row's.
        fields["area_id"] = (existing or group[-1])["area_id"]
        keepers.append(Handoff(id=keeper["id"], **fields))
        for r in group:
            if r["id"] != keeper["id"]:
                moved[r["id"]] = keeper["id"]
        report.schedules += 1
        report.merged += existing is not None
        report.rows += len(group)
        report.by_status[fields["status"]] = report.by_status.get(fields["status"], 0) + 1
    report.repointed = _repoint(apps, in_batch.values("pk"), moved, dry_run=dry_run, using=using)
    if not dry_run and keepers:
        # Nothing points at the folded rows any more (moved above).
        _delete(Handoff, list(moved), using)
        _update(Handoff, keepers, _WRITTEN, using)
    return report


def _refused(origin: str, group: list[dict[str, Any]], existing: dict | None) -> str:
    """Why a contact's rows cannot be folded (empty: they can)."""
    persons = {r["person_id"] for r in group}
    if existing is not None:
        if existing["kind"] != "test":
            return f"{origin}: {origin}:tests is a {existing['kind']} hand-off, not a test"
        persons.add(existing["person_id"])
    if len(persons) > 1:
        ids = ", ".join(str(p) for p in sorted(persons))
        return f"{origin}: its test hand-offs name different persons ({ids})"
    return ""


def _samples_of(apps, ids, using: str) -> dict[int, tuple[str, Any]]:
    """The tube and sampling time of the sample that fulfilled each row of
    ``ids`` (a query of their ids): old per-day rows closed by a sample
    recorded them only there."""
    try:
        Sample = apps.get_model("testing", "Sample")
    except LookupError:  # testing not installed: no samples to read
        return {}
    out: dict[int, tuple[str, Any]] = {}
    for handoff_id, barcode, sampled_at in (
        Sample._base_manager.using(using)
        .filter(handoff_id__in=ids)
        .order_by("sampled_at", "id")
        .values_list("handoff_id", "tube__barcode", "sampled_at")
    ):
        out.setdefault(handoff_id, (barcode, sampled_at))
    return out


def _slots_of(row: dict[str, Any], samples: dict[int, tuple[str, Any]]) -> list[_Slot]:
    """The tests one row carries, each with its state. A per-day row is one
    test (its key's stage and day, its window); one that testing sampled
    after schedules came carries it in ``detail["tests"]`` already."""
    detail = row["detail"] or {}
    if "tests" in detail or "slot" not in row:
        tests = schedule.tests_of(detail, not_before=row["not_before"], due_at=row["due_at"])
    else:
        stage, day = row["slot"]
        tests = [ScheduledTest(stage, day, row["not_before"], row["due_at"])]
    out = []
    for t in tests:
        # A per-day row done without a schedule in its detail was done by
        # do_close_handoff: its test is done.
        if t.done or (row["status"] == DONE and "tests" not in detail):
            if not t.done:
                tube, sampled_at = samples.get(row["id"], ("", None))
                t = dataclasses.replace(t, done=True, tube=tube, sampled_at=sampled_at)
            out.append(_Slot(t, DONE, row))
        else:
            # A test not done on a row that was closed anyway is not asked
            # for any more: as if cancelled (it is not made done).
            out.append(_Slot(t, OPEN if row["status"] == OPEN else CANCELLED, row))
    return out


def _wins(new: _Slot, kept: _Slot | None) -> bool:
    """Whether ``new`` replaces ``kept`` as a contact's test: done beats open
    beats cancelled; of two done, the one naming its tube."""
    if kept is None or _RANK[new.state] > _RANK[kept.state]:
        return True
    return new.state == kept.state == DONE and not kept.test.tube and bool(new.test.tube)


def _schedule_fields(
    group: list[dict[str, Any]], existing: dict | None, samples: dict[int, tuple[str, Any]]
) -> dict[str, Any]:
    """The schedule row's columns for a contact's per-day rows (``group``)
    and its ``:tests`` row, if any (``existing``)."""
    slots: dict[tuple[str, int | None], _Slot] = {}
    # The schedule first: on a tie (both done, both open) its test is kept.
    sources = [existing, *group] if existing is not None else group
    for row in sources:
        try:
            row_slots = _slots_of(row, samples)
        except ValueError as exc:
            raise ValueError(f"hand-off {row['id']} ({row['key']}): {exc}") from None
        for s in row_slots:
            if _wins(s, slots.get(s.test.slot)):
                slots[s.test.slot] = s
    states = {s.state for s in slots.values()}
    if existing is not None and existing["status"] == CANCELLED:
        status = CANCELLED
    elif OPEN in states:
        status = OPEN
    elif CANCELLED in states:
        status = CANCELLED
    else:
        status = DONE
    chosen = [s for s in slots.values() if status != OPEN or s.state != CANCELLED]
    tests = [s.test for s in chosen]
    detail = {**((existing or {}).get("detail") or {}), **schedule.detail_of(tests)}
    now = schedule.current(tests)
    if now is None:  # every test done: the last one's window, as a done schedule keeps
        now = schedule.tests_of(detail)[-1]
    fields: dict[str, Any] = {
        "status": status,
        "not_before": now.not_before,
        "due_at": now.due_at,
        "detail": detail,
        "closed_at": None,
        "closed_by_name": "",
        "outcome": "",
    }
    if status != OPEN:
        # Closed as its latest row of that status was (by whom, why).
        closed = [r for r in sources if r["status"] == status and r["closed_at"] is not None]
        if closed:
            last = max(closed, key=lambda r: r["closed_at"])
            fields.update(
                closed_at=last["closed_at"],
                closed_by_name=last["closed_by_name"],
                outcome=last["outcome"],
            )
    return fields


def _repoint(apps, ids, moved: dict[int, int], *, dry_run: bool, using: str) -> int:
    """Move every key pointing at a folded row (``moved``, among the rows of
    the query ``ids``) to its schedule; how many rows."""
    if not moved:
        return 0
    Handoff = apps.get_model("command", "Handoff")
    count = 0
    # Hidden relations too (a sample's ``handoff`` has no reverse name).
    for rel in Handoff._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        model, attname = rel.related_model, rel.field.attname
        linked = [
            (pk, old)
            for pk, old in model._base_manager.using(using)
            .filter(**{f"{attname}__in": ids})
            .values_list("pk", attname)
            if old in moved
        ]
        count += len(linked)
        if linked and not dry_run:
            _update(
                model,
                [model(pk=pk, **{attname: moved[old]}) for pk, old in linked],
                [rel.field.name],
                using,
            )
    return count


# Writes by primary key, the statement written once from the model and run
# for every row (executemany: psycopg pipelines it). ``bulk_update`` builds
# one CASE per field over the whole batch: for a million hand-offs it took
# ten times as long as reading and folding them.


def _update(model, objs: list, names, using: str) -> None:
    """Save ``names`` of every object in ``objs`` (model instances with their
    primary key), the values prepared by the fields as the ORM prepares them."""
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    pk = model._meta.pk
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET "
        + ", ".join(f"{quote(f.column)} = %s" for f in fields)
        + f" WHERE {quote(pk.column)} = %s"
    )
    params = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
        + [pk.get_db_prep_value(obj.pk, connection)]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _delete(model, ids: list[int], using: str, chunk: int = 500) -> None:
    """Delete the rows ``ids`` of ``model``, nothing else: the caller has
    moved whatever pointed at them (no collector, no ``on_delete``)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        for i in range(0, len(ids), chunk):
            part = ids[i : i + chunk]
            cursor.execute(
                f"DELETE FROM {table} WHERE {pk} IN ({', '.join(['%s'] * len(part))})", part
            )


def _audit(apps, batch: FoldReport, *, actor_name: str, using: str) -> None:
    """One audit record per batch, as ``accounts.audit.record`` writes a
    system actor's (the historical model: a migration has no other)."""
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    AuditEvent._base_manager.using(using).create(
        actor_name=actor_name[:150],
        action="handoff.fold_test_days",
        object_type="command.handoff",
        object_label="per-day test hand-offs folded into schedules",
        detail=batch.as_json(),
    )
