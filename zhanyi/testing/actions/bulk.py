"""The bulk path for samples: a whole shift of tubes uploaded at once.

A sampling app that worked offline (or a city-wide round of a million people)
sends its tubes as ``TubeUpload`` records. They are checked set-wise, the
same rules as a scan (known persons, one sample per person and round, at most
``pool_size`` swabs per tube, a new barcode), and written with ``COPY`` on
PostgreSQL (``executemany`` elsewhere), never one ORM save per row. A tube
that breaks a rule is refused whole with its index, field and reason; the
other tubes are stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.translation import gettext as _

from zhanyi.accounts import audit
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

from .common import Problem, require_operations
from .sampling import _BARCODE


@dataclass(frozen=True)
class TubeUpload:
    barcode: str
    site_id: int
    person_ids: tuple[int, ...]
    sampled_at: dt.datetime
    closed_at: dt.datetime | None = None


@dataclass
class SampleImport:
    tubes: int = 0
    samples: int = 0
    refused: list[Problem] = field(default_factory=list)


def _text(value) -> str:
    return "\\N" if value is None else str(value)


def _copy(table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                # COPY's text format, a chunk at a time. Values here are
                # numbers, datetimes and checked words (barcodes are letters,
                # digits and hyphens, by _BARCODE): nothing needs escaping.
                for i in range(0, len(rows), 50_000):
                    chunk = rows[i : i + 50_000]
                    copy.write("".join("\t".join(map(_text, row)) + "\n" for row in chunk))
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


ANALYZE_AFTER = 10_000


def analyze(*models, rows: int) -> None:
    """Refresh the planner's statistics after a bulk write on PostgreSQL.

    Autovacuum analyses a table only after a delay; a query right after
    a million-row COPY would otherwise be planned for an empty table (a
    nested loop over a million rows).
    """
    if connection.vendor != "postgresql" or rows < ANALYZE_AFTER:
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(m._meta.db_table for m in models))


def _chunks(values: list, size: int = 5000):
    for i in range(0, len(values), size):
        yield values[i : i + size]


@transaction.atomic
def do_import_samples(
    *, acting_user, round: TestingRound, tubes: Sequence[TubeUpload], request=None
) -> SampleImport:
    """Store many tubes of a round with their samples (see the module)."""
    sites = {
        s.pk: s
        for s in SamplingSite.objects.filter(pk__in={t.site_id for t in tubes}).select_related(
            "area"
        )
    }
    for site_id in {t.site_id for t in tubes}:
        site = sites.get(site_id)
        require_operations(acting_user, site.area if site else None)
    require_operations(acting_user, round.area)
    out = SampleImport()
    targets = set(RoundTarget.objects.filter(round=round).values_list("person_id", flat=True))
    outside = sorted({p for t in tubes for p in t.person_ids} - targets)
    known = set(targets)
    for chunk in _chunks(outside):
        known.update(
            Person.objects.filter(pk__in=chunk, merged_into=None).values_list("pk", flat=True)
        )
    sampled = set(
        Sample.objects.filter(round=round, purpose=Purpose.ROUND).values_list(
            "person_id", flat=True
        )
    )
    barcodes = [t.barcode for t in tubes]
    existing: set[str] = set()
    for chunk in _chunks(barcodes):
        existing.update(Tube.objects.filter(barcode__in=chunk).values_list("barcode", flat=True))
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
            out.refused.append(Problem(i, *problem, value=t.barcode or ""))
            continue
        seen_barcodes.add(t.barcode)
        sampled.update(t.person_ids)
        good.append(t)
    _copy(
        Tube._meta.db_table,
        (
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
        ),
        [
            (
                t.barcode,
                round.pk,
                t.site_id,
                sites[t.site_id].area_id,
                round.pool_size,
                Purpose.ROUND,
                TubeStatus.CLOSED
                if t.closed_at or len(t.person_ids) >= round.pool_size
                else TubeStatus.OPEN,
                len(t.person_ids),
                t.sampled_at,
                t.sampled_at,
                t.closed_at or (t.sampled_at if len(t.person_ids) >= round.pool_size else None),
                "",
            )
            for t in good
        ],
    )
    # The new tubes' ids by the round (one indexed read), not by long lists of
    # barcodes, which a planner without fresh statistics scans row by row.
    wanted = {t.barcode for t in good}
    ids = {
        barcode: pk
        for barcode, pk in Tube.objects.filter(round=round).values_list("barcode", "pk")
        if barcode in wanted
    }
    _copy(
        Sample._meta.db_table,
        ("tube_id", "person_id", "round_id", "purpose", "sampled_at"),
        [
            (ids[t.barcode], pid, round.pk, Purpose.ROUND, t.sampled_at)
            for t in good
            for pid in t.person_ids
        ],
    )
    out.tubes = len(good)
    out.samples = sum(len(t.person_ids) for t in good)
    analyze(Tube, Sample, rows=out.samples)
    audit.record(
        actor=acting_user,
        action="testing.sample_import",
        obj=round,
        detail={
            "tubes": out.tubes,
            "samples": out.samples,
            "refused": len(out.refused),
            "first_problems": [p.as_dict() for p in out.refused[:20]],
        },
        request=request,
        area=round.area,
    )
    return out
