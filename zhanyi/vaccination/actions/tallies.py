"""The coverage tallies (接种率汇总), kept as the doses are written.

Coverage, its figures and the bench read ``DoseTally`` and
``PopulationTally`` (see ``models``), never the dose rows: a city's millions
of doses would take many seconds to count on every page. The tallies are
written three ways, each in the writer's transaction:

- ``add_imported`` and ``add_recorded``: an import's doses and a site's
  dose, added to their cells (village, age band, dose number);
- ``do_recount_coverage``: everything counted again from the dose rows and
  the person index, for a new day (ages move across the bands on birthdays,
  people join and leave the index); the periodic job runs it after midnight.

Every writer locks ``CoverageDay``'s one row after its dose rows are written
and before it touches a tally, so the recount and the writers take turns and
each writer's doses are counted exactly once, in the bands of the tally's day.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone

from zhanyi.core import audit
from zhanyi.core.db import bulk
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.people.models import Person
from zhanyi.vaccination.models import CoverageDay, Dose, DoseTally, PopulationTally
from zhanyi.vaccination.rules import TOO_YOUNG, UNKNOWN_AGE, band_cutoffs, band_of

from .common import require


def today() -> dt.date:
    return timezone.now().astimezone(LOCAL_TZ).date()


def _band_sql(field_name: str, day: dt.date) -> Case:
    """``rules.band_of`` in SQL."""
    cutoffs = band_cutoffs(day)
    whens = [When(**{f"{field_name}__isnull": True}, then=Value(UNKNOWN_AGE))]
    whens.append(When(**{f"{field_name}__gt": cutoffs[0]}, then=Value(TOO_YOUNG)))
    for index, cutoff in enumerate(cutoffs[1:], start=1):
        whens.append(When(**{f"{field_name}__gt": cutoff}, then=Value(index - 1)))
    return Case(*whens, default=Value(len(cutoffs) - 1), output_field=IntegerField())


def _band_frame(column: str, day: dt.date) -> pl.Expr:
    """``rules.band_of`` over a Polars column of dates."""
    older = [(pl.col(column) <= cutoff).cast(pl.Int16) for cutoff in band_cutoffs(day)]
    return (
        pl.when(pl.col(column).is_null())
        .then(pl.lit(UNKNOWN_AGE, pl.Int16))
        .otherwise(pl.sum_horizontal(older) - 1)
    )


def _locked_day() -> tuple[CoverageDay, bool]:
    """The tally's day, locked; ``True`` when this call made the first tallies
    (from every row this transaction sees: the caller's doses are in them)."""
    now = timezone.now()
    row, created = CoverageDay.objects.get_or_create(
        pk=1, defaults={"day": today(), "people_counted_at": now}
    )
    if created:
        _count(row.day)
        return row, True
    return CoverageDay.objects.select_for_update().get(pk=1), False


DOSE_KEY, DOSE_COUNTS = ["village_id", "age_band", "dose_number"], ["doses", "completed"]
PEOPLE_KEY, PEOPLE_COUNTS = ["village_id", "age_band"], ["people"]


def _add(model, keys: list[str], counts: list[str], cells: dict[tuple, tuple[int, ...]]) -> None:
    """Add ``cells`` (values of ``keys`` → values of ``counts``) to ``model``'s
    tally; the caller holds the day's lock, so nobody writes the tallies meanwhile."""
    if not cells:
        return
    villages = {key[0] for key in cells if key[0] is not None}
    existing = model.objects.filter(Q(village_id__in=villages) | Q(village=None))
    if len(villages) > bulk.ids_per_batch():
        existing = model.objects.all()
    current = {row[1 : 1 + len(keys)]: row for row in existing.values_list("pk", *keys, *counts)}
    updates, inserts = [], []
    for key, added in cells.items():
        if key in current:
            had = current[key][1 + len(keys) :]
            updates.append((current[key][0], *(a + b for a, b in zip(had, added, strict=True))))
        else:
            inserts.append((*key, *added))
    bulk.update_many(model, ["id", *counts], updates)
    bulk.insert_many(model, [*keys, *counts], inserts)


def add_imported(doses: pl.DataFrame, people: pl.DataFrame) -> None:
    """Tally an import's doses, just written (columns ``village_id``,
    ``birth_date``, ``dose_number``, ``completes_course``), and the people it
    added to the person index (``village_id``, ``birth_date``)."""
    row, counted = _locked_day()
    if counted:
        return
    band = _band_frame("birth_date", row.day).alias("age_band")
    dose_cells = (
        doses.with_columns(band)
        .group_by("village_id", "age_band", "dose_number")
        .agg(pl.len().alias("doses"), pl.col("completes_course").sum().alias("completed"))
    )
    _add(DoseTally, DOSE_KEY, DOSE_COUNTS, {tuple(r[:3]): r[3:] for r in dose_cells.iter_rows()})
    people_cells = people.with_columns(band).group_by(*PEOPLE_KEY).len()
    _add(
        PopulationTally,
        PEOPLE_KEY,
        PEOPLE_COUNTS,
        {tuple(r[:2]): r[2:] for r in people_cells.iter_rows()},
    )


def add_recorded(dose: Dose) -> None:
    """Tally one dose recorded at a site, just written."""
    row, counted = _locked_day()
    if counted:
        return
    key = (dose.village_id, band_of(dose.birth_date, row.day), dose.dose_number)
    _add(DoseTally, DOSE_KEY, DOSE_COUNTS, {key: (1, int(dose.completes_course))})


def _count(day: dt.date) -> tuple[int, int]:
    """Both tallies counted again for ``day``; their sizes in cells."""
    DoseTally.objects.all().delete()
    PopulationTally.objects.all().delete()
    dose_cells = (
        Dose.objects.annotate(band=_band_sql("birth_date", day))
        .values_list("village_id", "band", "dose_number")
        .annotate(n=Count("id"), completed=Count("id", filter=Q(completes_course=True)))
        .order_by()
    )
    people_cells = (
        Person.objects.filter(merged_into=None)
        .annotate(band=_band_sql("birth_date", day))
        .values_list("village_id", "band")
        .annotate(n=Count("id"))
        .order_by()
    )
    doses, people = list(dose_cells), list(people_cells)
    bulk.insert_many(DoseTally, DOSE_KEY + DOSE_COUNTS, doses)
    bulk.insert_many(PopulationTally, PEOPLE_KEY + PEOPLE_COUNTS, people)
    return len(doses), len(people)


@transaction.atomic
def do_recount_coverage(*, acting_user, day: dt.date | None = None) -> CoverageDay:
    """Count the tallies again from the dose rows and the person index, with
    ages on ``day`` (today, local time): the periodic job's daily work, and
    ``zhanyi vaccination recount``."""
    require(acting_user, "edit_operations", check_area=False)
    row, _counted = _locked_day()
    row.day = day or today()
    row.people_counted_at = timezone.now()
    dose_cells, people_cells = _count(row.day)
    row.save(update_fields=["day", "people_counted_at"])
    audit.record(
        actor=acting_user,
        action="vaccination.coverage.recount",
        obj=row,
        detail={"day": row.day.isoformat(), "dose_cells": dose_cells, "people_cells": people_cells},
    )
    return row
