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
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.core import audit
from zhanyi.core.db import dialect
from zhanyi.core.db.bulk import insert_many, where_in
from zhanyi.handoffs.models import Handoff, HandoffStatus
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


ANALYZE_AFTER = 10_000


def analyze(*models, rows: int, columns: Sequence[str] = ()) -> None:
    """Refresh the planner's statistics after a bulk write on PostgreSQL.

    Autovacuum analyses a table only after a delay; a query right after
    a million-row COPY would otherwise be planned for an empty table (a
    nested loop over a million rows). ``columns`` (one model): only those,
    after an update that changed only them (a third of the time).
    """
    if rows >= ANALYZE_AFTER:
        dialect.analyze(*models, columns=columns)


def _chunks(values: list, size: int = 5000):
    for i in range(0, len(values), size):
        yield values[i : i + size]


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
    sites = _sites_in_reach(acting_user, round, tubes)
    out = SampleImport(refused=list(problems))
    good = _accepted_tubes(round, tubes, sites, out.refused)
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


def _sites_in_reach(acting_user, round: TestingRound, tubes: Sequence[TubeUpload]) -> dict:
    """The tubes' sampling sites by id, once the user is found to work there
    and on the round (``PermissionDenied`` otherwise)."""
    site_ids = {t.site_id for t in tubes}
    sites = {s.pk: s for s in SamplingSite.objects.filter(pk__in=site_ids).select_related("area")}
    for site_id in site_ids:
        site = sites.get(site_id)
        require_operations(acting_user, site.area if site else None)
    require_round_work(acting_user, round)
    return sites


def _accepted_tubes(
    round: TestingRound, tubes: Sequence[TubeUpload], sites: dict, refused: list[Problem]
) -> list[TubeUpload]:
    """The tubes that may be stored, in their order; each other one's problem
    is added to ``refused``, naming its row."""
    known, sampled = _round_people(round, tubes)
    existing: set[str] = set()
    for qs in where_in(Tube.objects.order_by(), "barcode", {t.barcode for t in tubes}, "text"):
        existing.update(qs.values_list("barcode", flat=True))
    good: list[TubeUpload] = []
    seen_barcodes: set[str] = set()
    for i, t in enumerate(tubes):
        taken = t.barcode in existing or t.barcode in seen_barcodes
        problem = _tube_problem(round, t, sites, known, sampled, taken=taken)
        if problem:
            row = t.row if t.row is not None else i
            refused.append(Problem(row, *problem, value=t.barcode or ""))
            continue
        seen_barcodes.add(t.barcode)
        sampled.update(t.person_ids)
        good.append(t)
    return good


def _round_people(round: TestingRound, tubes: Sequence[TubeUpload]) -> tuple[set[int], set[int]]:
    """(the persons the tubes may hold: the round's targets and any other live
    person named, the persons sampled in the round already)."""
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
    return known, sampled


def _tube_problem(
    round: TestingRound,
    t: TubeUpload,
    sites: dict,
    known: set[int],
    sampled: set[int],
    *,
    taken: bool,
) -> tuple[str, str, str] | None:
    """Why tube ``t`` is refused, as (field, code, message), or None.
    ``taken``: its barcode is in use already (stored, or earlier in the upload)."""
    if t.site_id not in sites:
        return ("site", "unknown", _("Unknown sampling site."))
    if not _BARCODE.match(t.barcode or ""):
        return ("barcode", "invalid", _("A barcode is 4 to 64 letters, digits or hyphens."))
    if taken:
        return ("barcode", "duplicate", _("This tube barcode is in use already."))
    if not t.person_ids:
        return ("person_ids", "empty", _("The tube holds no sample."))
    if len(t.person_ids) > round.pool_size:
        return (
            "person_ids",
            "tube_full",
            _("More swabs than the pool size %(k)s.") % {"k": round.pool_size},
        )
    if not (round.starts_at <= t.sampled_at < round.ends_at):
        return ("sampled_at", "outside_round", _("Sampled outside the round's window."))
    unknown = [p for p in t.person_ids if p not in known]
    if unknown:
        return (
            "person_ids",
            "unknown",
            _("Unknown persons: %(ids)s") % {"ids": ", ".join(map(str, unknown[:10]))},
        )
    twice = [p for p in t.person_ids if p in sampled]
    if twice or len(set(t.person_ids)) != len(t.person_ids):
        return (
            "person_ids",
            "already_sampled",
            _("Already sampled in this round: %(ids)s")
            % {"ids": ", ".join(map(str, (twice or list(t.person_ids))[:10]))},
        )
    return None


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
                t.sampled_at,
                t.sampled_at,
                closed_at,
                "",
            )
        )
    insert_many(Tube, _TUBE_COLUMNS, rows)
    # The new tubes' ids by the round (one indexed read), not by a list of a
    # hundred thousand barcodes.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT barcode, id FROM {table} WHERE round_id = %s", [round.pk])
        by_barcode = dict(cursor.fetchall())
    return [by_barcode[t.barcode] for t in good]


def _write_samples(round: TestingRound, good: list[TubeUpload], ids: list[int]) -> None:
    """Insert the tubes' samples tube by tube, each tube's people in order
    (see ``do_import_samples``)."""
    purpose = Purpose.ROUND.value
    insert_many(
        Sample,
        _SAMPLE_COLUMNS,
        [
            (pk, pid, round.pk, purpose, t.sampled_at)
            for pk, t in zip(ids, good, strict=True)
            for pid in sorted(t.person_ids)
        ],
    )
