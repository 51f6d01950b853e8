"""The bulk path for samples: a whole shift of tubes uploaded at once.

A sampling app that worked offline (or a city-wide round of a million people)
sends its tubes as ``TubeUpload`` records. They are checked set-wise, the
same rules as a scan (known persons, one sample per person and round, at most
``pool_size`` swabs per tube, a new barcode), and written with ``COPY`` on
PostgreSQL (``executemany`` elsewhere), never one ORM save per row: the
tubes, then their samples, in the order of the tubes' first person. A tube
that breaks a rule is refused whole with its index, field and reason; the
other tubes are stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import BooleanField, Exists, OuterRef, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from zhanyi.accounts import audit
from zhanyi.command.models import Handoff, HandoffStatus, TaskForceKind
from zhanyi.core.pgbulk import array_literal, copy_lines
from zhanyi.people.models import Person
from zhanyi.testing.models import (
    Purpose,
    RoundTarget,
    Sample,
    SamplingSite,
    TestingRound,
    Tube,
    TubeStatus,
)

from .common import Problem, require_operations, require_round_work
from .sampling import _BARCODE, _attach_handoffs, due_kinds


@dataclass(frozen=True)
class TubeUpload:
    barcode: str
    site_id: int
    person_ids: tuple[int, ...]
    sampled_at: dt.datetime
    closed_at: dt.datetime | None = None
    #: Where the tube came from (the file line of its first swab); a refusal
    #: names it, or the tube's index in the upload when it is None.
    row: int | None = None


@dataclass
class SampleImport:
    tubes: int = 0
    samples: int = 0
    refused: list[Problem] = field(default_factory=list)
    #: Samples that were a scheduled test of tracing's (a contact's day 4).
    scheduled_tests: int = 0

    def as_dict(self) -> dict:
        return {
            "tubes": self.tubes,
            "samples": self.samples,
            "scheduled_tests": self.scheduled_tests,
            "refused": [p.as_dict() for p in self.refused],
        }


def _insert_rows(table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    """INSERT many rows in one ``executemany`` (the path for databases without COPY)."""
    if not rows:
        return
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


ANALYZE_AFTER = 10_000


def analyze(*models, rows: int, columns: Sequence[str] = ()) -> None:
    """Refresh the planner's statistics after a bulk write on PostgreSQL.

    Autovacuum analyses a table only after a delay; a query right after
    a million-row COPY would otherwise be planned for an empty table (a
    nested loop over a million rows). ``columns`` (one model): only those,
    after an update that changed only them (a third of the time).
    """
    if connection.vendor != "postgresql" or rows < ANALYZE_AFTER:
        return
    tables = ", ".join(m._meta.db_table for m in models)
    if columns:
        tables += f" ({', '.join(columns)})"
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + tables)


def _chunks(values: list, size: int = 5000):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def where_in(qs: QuerySet, field: str, values: Iterable, db_type: str):
    """Querysets of ``qs`` with ``field`` in ``values``, however many values.

    On PostgreSQL one queryset, ``column = ANY(array)`` with the values as one
    array literal: Django would compile, quote and send each value of an IN
    list as a parameter of its own, about 20 µs apiece, longer than the
    database takes to find its row. Elsewhere chunks of plain ``IN``.
    ``db_type`` is the array's element type (``bigint``, ``text``).
    """
    values = list(values)
    if connection.vendor == "postgresql":
        # No stored text holds a NUL (PostgreSQL refuses it): such a value
        # matches nothing, and must not reach the array.
        values = [v for v in values if not (type(v) is str and "\0" in v)]
        meta = qs.model._meta
        column = meta.pk.column if field == "pk" else meta.get_field(field).column
        quote = connection.ops.quote_name
        yield qs.filter(
            RawSQL(
                f"{quote(meta.db_table)}.{quote(column)} = ANY(%s::{db_type}[])",
                [array_literal(values)],
                output_field=BooleanField(),
            )
        )
        return
    for chunk in _chunks(values):
        yield qs.filter(**{f"{field}__in": chunk})


def in_list(column: str, values: Iterable, db_type: str):
    """``(sql, params)`` pieces saying ``column`` is one of ``values``, for raw
    SQL: on PostgreSQL one array literal, elsewhere chunks of plain ``IN``."""
    values = list(values)
    if connection.vendor == "postgresql":
        yield f"{column} = ANY(%s::{db_type}[])", [array_literal(values)]
        return
    for chunk in _chunks(values):
        yield f"{column} IN ({', '.join(['%s'] * len(chunk))})", chunk


def _column(sql: str, params: Sequence) -> list:
    """The first column of a query's rows, without a model or a queryset per row
    (a round's million person ids)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@transaction.atomic
def do_import_samples(
    *,
    acting_user,
    round: TestingRound,
    tubes: Sequence[TubeUpload],
    request=None,
    problems: Sequence[Problem] = (),
) -> SampleImport:
    """Store many tubes of a round with their samples (see the module).

    ``problems``: what was refused before the tubes were formed (an upload's
    broken lines), kept with the tubes' own refusals and audited with them.
    """
    site_ids = {t.site_id for t in tubes}
    sites = {s.pk: s for s in SamplingSite.objects.filter(pk__in=site_ids).select_related("area")}
    for site_id in site_ids:
        site = sites.get(site_id)
        require_operations(acting_user, site.area if site else None)
    require_round_work(acting_user, round)
    out = SampleImport(refused=list(problems))
    known = set(
        _column(
            f"SELECT person_id FROM {RoundTarget._meta.db_table} WHERE round_id = %s", [round.pk]
        )
    )
    outside = sorted({p for t in tubes for p in t.person_ids} - known)
    for chunk in _chunks(outside):
        known.update(
            Person.objects.filter(pk__in=chunk, merged_into=None).values_list("pk", flat=True)
        )
    sampled = set(
        _column(
            f"SELECT person_id FROM {Sample._meta.db_table} WHERE round_id = %s AND purpose = %s",
            [round.pk, Purpose.ROUND.value],
        )
    )
    existing: set[str] = set()
    for qs in where_in(Tube.objects.order_by(), "barcode", {t.barcode for t in tubes}, "text"):
        existing.update(qs.values_list("barcode", flat=True))
    good: list[TubeUpload] = []
    seen_barcodes: set[str] = set()
    for i, t in enumerate(tubes):
        problem = None
        if t.site_id not in sites:
            problem = ("site", "unknown", _("Unknown sampling site."))
        elif not _BARCODE.match(t.barcode or ""):
            problem = ("barcode", "invalid", _("A barcode is 4 to 64 letters, digits or hyphens."))
        elif t.barcode in existing or t.barcode in seen_barcodes:
            problem = ("barcode", "duplicate", _("This tube barcode is in use already."))
        elif not t.person_ids:
            problem = ("person_ids", "empty", _("The tube holds no sample."))
        elif len(t.person_ids) > round.pool_size:
            problem = (
                "person_ids",
                "tube_full",
                _("More swabs than the pool size %(k)s.") % {"k": round.pool_size},
            )
        elif not (round.starts_at <= t.sampled_at < round.ends_at):
            problem = ("sampled_at", "outside_round", _("Sampled outside the round's window."))
        else:
            unknown = [p for p in t.person_ids if p not in known]
            twice = [p for p in t.person_ids if p in sampled]
            if unknown:
                problem = (
                    "person_ids",
                    "unknown",
                    _("Unknown persons: %(ids)s") % {"ids": ", ".join(map(str, unknown[:10]))},
                )
            elif twice or len(set(t.person_ids)) != len(t.person_ids):
                problem = (
                    "person_ids",
                    "already_sampled",
                    _("Already sampled in this round: %(ids)s")
                    % {"ids": ", ".join(map(str, (twice or list(t.person_ids))[:10]))},
                )
        if problem:
            row = t.row if t.row is not None else i
            out.refused.append(Problem(row, *problem, value=t.barcode or ""))
            continue
        seen_barcodes.add(t.barcode)
        sampled.update(t.person_ids)
        good.append(t)
    # Tubes numbered in the order of their first person, samples written tube
    # by tube, each tube's people in order: then the sample's indexes that
    # lead with the tube and those that lead with the person (the round's,
    # the person's history) are all written near their end, not a million
    # times in random places (about 1.5 µs a row against 5 µs).
    good.sort(key=lambda t: min(t.person_ids))
    ids = _write_tubes(round, good, sites)
    _write_samples(round, good, ids)
    out.tubes = len(good)
    out.samples = sum(len(t.person_ids) for t in good)
    analyze(Tube, Sample, rows=out.samples)
    out.scheduled_tests = _fulfil_scheduled_tests(round, good, ids, acting_user)
    audit.record(
        actor=acting_user,
        action="testing.sample_import",
        obj=round,
        detail={
            "tubes": out.tubes,
            "samples": out.samples,
            "refused": len(out.refused),
            "scheduled_tests": out.scheduled_tests,
            "first_problems": [p.as_dict() for p in out.refused[:20]],
        },
        request=request,
        area=round.area,
    )
    return out


def _fulfil_scheduled_tests(
    round: TestingRound, good: list[TubeUpload], ids: list[int], acting_user
) -> int:
    """Uploaded samples count for the people's scheduled tests as scanned ones
    do (``sampling._attach_handoffs``): a contact sampled on their test day
    has that test done. The open hand-offs are few beside a round's samples:
    their persons that were sampled in this round are found in one query, and
    only the tubes that hold them are then handled one by one."""
    if not good:
        return 0
    due = set(
        Handoff.objects.filter(
            kind__in=due_kinds(round.pool_size),
            status=HandoffStatus.OPEN,
            to_task_force=TaskForceKind.TESTING,
        )
        .filter(Exists(Sample.objects.filter(person_id=OuterRef("person_id"), round_id=round.pk)))
        .values_list("person_id", flat=True)
    )
    if not due:
        return 0
    counted = 0
    holding = {pk: t for pk, t in zip(ids, good, strict=True) if due.intersection(t.person_ids)}
    for tube in Tube.objects.filter(pk__in=list(holding)).order_by("pk"):
        upload = holding[tube.pk]
        samples = [
            Sample(tube=tube, person_id=p, round_id=round.pk, purpose=Purpose.ROUND)
            for p in upload.person_ids
            if p in due
        ]
        _attach_handoffs(samples, tube, upload.sampled_at, acting_user)
        for sample in samples:
            if sample.handoff_id is not None:
                Sample.objects.filter(tube=tube, person_id=sample.person_id).update(
                    handoff_id=sample.handoff_id
                )
                counted += 1
    return counted


_TUBE_COLUMNS = (
    "barcode",
    "round_id",
    "site_id",
    "area_id",
    "pool_size",
    "purpose",
    "status",
    "samples_count",
    "opened_at",
    "sampled_at",
    "closed_at",
    "result",
)
_SAMPLE_COLUMNS = ("tube_id", "person_id", "round_id", "purpose", "sampled_at")


def _tube_state(round: TestingRound, t: TubeUpload) -> tuple[str, dt.datetime | None]:
    """(status, closed_at) of an uploaded tube: closed when the phone closed
    it or it is full, open otherwise."""
    full = len(t.person_ids) >= round.pool_size
    if t.closed_at or full:
        return TubeStatus.CLOSED.value, t.closed_at or t.sampled_at
    return TubeStatus.OPEN.value, None


def _write_tubes(round: TestingRound, good: list[TubeUpload], sites: dict) -> list[int]:
    """Insert the tubes in the order given (their ids follow it); their ids,
    in that order."""
    if not good:
        return []
    table = Tube._meta.db_table
    area_of = {pk: site.area_id for pk, site in sites.items()}
    if connection.vendor == "postgresql":
        stamp = _stamper()
        same = f"{round.pool_size}\t{Purpose.ROUND.value}"

        def lines():
            for t in good:
                status, closed_at = _tube_state(round, t)
                sampled = stamp(t.sampled_at)
                yield (
                    f"{t.barcode}\t{round.pk}\t{t.site_id}\t{area_of[t.site_id]}\t{same}\t"
                    f"{status}\t{len(t.person_ids)}\t{sampled}\t{sampled}\t{stamp(closed_at)}\t\n"
                )

        copy_lines(table, _TUBE_COLUMNS, lines())
    else:
        stamp = connection.ops.adapt_datetimefield_value  # as the ORM stores it
        rows = []
        for t in good:
            status, closed_at = _tube_state(round, t)
            rows.append(
                (
                    t.barcode,
                    round.pk,
                    t.site_id,
                    area_of[t.site_id],
                    round.pool_size,
                    Purpose.ROUND.value,
                    status,
                    len(t.person_ids),
                    stamp(t.sampled_at),
                    stamp(t.sampled_at),
                    stamp(closed_at),
                    "",
                )
            )
        _insert_rows(table, _TUBE_COLUMNS, rows)
    # The new tubes' ids by the round (one indexed read), not by a list of a
    # hundred thousand barcodes.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT barcode, id FROM {table} WHERE round_id = %s", [round.pk])
        by_barcode = dict(cursor.fetchall())
    return [by_barcode[t.barcode] for t in good]


def _write_samples(round: TestingRound, good: list[TubeUpload], ids: list[int]) -> None:
    """Insert the tubes' samples tube by tube, each tube's people in order
    (see ``do_import_samples``)."""
    table = Sample._meta.db_table
    purpose = Purpose.ROUND.value
    if connection.vendor != "postgresql":
        stamp = connection.ops.adapt_datetimefield_value  # as the ORM stores it
        rows = [
            (pk, pid, round.pk, purpose, stamp(t.sampled_at))
            for pk, t in zip(ids, good, strict=True)
            for pid in sorted(t.person_ids)
        ]
        _insert_rows(table, _SAMPLE_COLUMNS, rows)
        return
    stamp = _stamper()

    def tubes():
        # A tube's lines are its text around each person's id: the text is
        # made once per tube, not once per swab.
        for pk, t in zip(ids, good, strict=True):
            head = f"{pk}\t"
            tail = f"\t{round.pk}\t{purpose}\t{stamp(t.sampled_at)}\n"
            yield "".join([head + str(pid) + tail for pid in sorted(t.person_ids)])

    copy_lines(table, _SAMPLE_COLUMNS, tubes(), chunk=5_000)


def _stamper():
    """COPY text of a datetime (or NULL), each distinct value formatted once."""
    seen: dict = {None: "\\N"}

    def stamp(value) -> str:
        text = seen.get(value)
        if text is None:
            text = seen[value] = value.isoformat()
        return text

    return stamp
