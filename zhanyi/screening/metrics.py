"""Figures of screening (数出一门): defined once, read by the dashboard and the report.

Every figure counts people, not rows: a person pushed by three sources is one
person received, and one person found. The figures are defined once, as the
aggregate expressions below; ``figures_of`` applies them to one set of records
and tasks, ``breakdown`` to groups of them (by source, or by area one level
down) in one grouped query per table, for the twice-daily report.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanyi.core import figure_cache
from zhanyi.core.metrics import aggregate_in, area_filter, figure, for_areas, tally_in
from zhanyi.places.models import Area

from .models import PushRecord, PushSource, ScreeningTask

Outcome = ScreeningTask.Outcome
OPEN = ScreeningTask.Status.OPEN
CLOSED = ScreeningTask.Status.CLOSED
FIGURES = (
    "records",
    "people",
    "found_in_city",
    "not_in_city",
    "not_found",
    "open",
    "overdue",
    "median_minutes_to_close",
)


def _record_aggregates() -> dict:
    # People: the distinct persons of the records, plus each record still
    # waiting for review (its person is not known yet).
    return {
        "records": Count("id"),
        "linked_people": Count("person_id", distinct=True),
        "pending": Count("id", filter=Q(person=None)),
    }


def _task_aggregates(now: dt.datetime, *, joined: bool = False) -> dict:
    """``joined``: the tasks are joined to their records (one row per record),
    so tasks are counted distinct."""

    def people(outcome: str) -> Count:
        return Count("person_id", distinct=True, filter=Q(outcome=outcome))

    return {
        "found_in_city": people(Outcome.FOUND_IN_CITY),
        "not_in_city": people(Outcome.NOT_IN_CITY),
        "not_found": people(Outcome.NOT_FOUND),
        "open": Count("id", distinct=joined, filter=Q(status=OPEN)),
        "overdue": Count("id", distinct=joined, filter=Q(status=OPEN, due_at__lt=now)),
    }


def _finish(records: dict, tasks: dict, minutes: list[float]) -> dict[str, Any]:
    return {
        "records": records.get("records", 0),
        "people": records.get("linked_people", 0) + records.get("pending", 0),
        "found_in_city": tasks.get("found_in_city", 0),
        "not_in_city": tasks.get("not_in_city", 0),
        "not_found": tasks.get("not_found", 0),
        "open": tasks.get("open", 0),
        "overdue": tasks.get("overdue", 0),
        "median_minutes_to_close": round(statistics.median(minutes), 1) if minutes else 0,
    }


def _minutes(received: dt.datetime, closed: dt.datetime) -> float:
    return (closed - received).total_seconds() / 60


def _within(area: Area | None, field: str) -> dict:
    """Rows whose ``field`` (an area) lies under ``area``, as ``field IN (ids)``:
    the foreign key's index serves it, where a ``path LIKE`` through a join
    scans every record."""
    if area is None:
        return {}
    return {f"{field}__in": Area.objects.filter(**area_filter(area, "path")).values("id")}


def _records(area: Area | None) -> QuerySet[PushRecord]:
    return PushRecord.objects.filter(**_within(area, "resolved_area"))


def _tasks(area: Area | None) -> QuerySet[ScreeningTask]:
    return ScreeningTask.objects.filter(**_within(area, "area"))


def figures_of(records: QuerySet[PushRecord], tasks: QuerySet[ScreeningTask]) -> dict[str, Any]:
    """The screening figures over these records and tasks."""
    minutes = [
        _minutes(received, closed)
        for received, closed in tasks.filter(status=CLOSED).values_list("received_at", "closed_at")
    ]
    return _finish(
        records.aggregate(**_record_aggregates()),
        tasks.aggregate(**_task_aggregates(timezone.now())),
        minutes,
    )


def _one_task_figure(area: Area | None, name: str) -> int:
    return _tasks(area).aggregate(**{name: _task_aggregates(timezone.now())[name]})[name]


@figure(
    "screening.records",
    _("Pushed records received"),
    _("records"),
    order=200,
    link="screening:home",
)
def records_received(area: Area | None) -> int:
    return _records(area).aggregate(records=_record_aggregates()["records"])["records"]


# The counts that add up over areas, for the report's areas in one grouped
# query each (``metrics.for_areas``); the people are counted distinct, area
# by area (one person pushed in two counties is one for the city).
@for_areas("screening.records")
def records_received_in(areas) -> list[int]:
    return tally_in(PushRecord.objects.all(), "resolved_area", areas)


@figure("screening.people", _("Pushed people (counted once)"), _("people"), order=201)
def people(area: Area | None) -> int:
    aggregates = _record_aggregates()
    counts = _records(area).aggregate(
        linked_people=aggregates["linked_people"], pending=aggregates["pending"]
    )
    return _finish(counts, {}, [])["people"]


@for_areas("screening.people")
def people_in(areas) -> list[int]:
    aggregates = _record_aggregates()
    counts = aggregate_in(
        PushRecord.objects.all(),
        "resolved_area",
        areas,
        linked_people=aggregates["linked_people"],
        pending=aggregates["pending"],
    )
    return [_finish(c, {}, [])["people"] for c in counts]


def _task_figure_in(areas, name: str) -> list[int]:
    """One of the tasks' figures for each of ``areas``: the tasks' people
    counted by area in one query per set of areas apart, read once per pass
    for the three outcomes."""

    def read() -> list[dict]:
        aggregates = _task_aggregates(timezone.now())
        outcomes = ("found_in_city", "not_in_city", "not_found")
        return aggregate_in(
            ScreeningTask.objects.all(), "area", areas, **{o: aggregates[o] for o in outcomes}
        )

    key = ("screening.outcomes_in", tuple(a.pk if a is not None else None for a in areas))
    return [row[name] for row in figure_cache.shared(key, read)]


@figure("screening.found_in_city", _("Found in the city"), _("people"), order=202)
def found_in_city(area: Area | None) -> int:
    return _one_task_figure(area, "found_in_city")


@for_areas("screening.found_in_city")
def found_in_city_in(areas) -> list[int]:
    return _task_figure_in(areas, "found_in_city")


@figure("screening.not_in_city", _("Not in the city"), _("people"), order=203)
def not_in_city(area: Area | None) -> int:
    return _one_task_figure(area, "not_in_city")


@for_areas("screening.not_in_city")
def not_in_city_in(areas) -> list[int]:
    return _task_figure_in(areas, "not_in_city")


@figure("screening.not_found", _("Not found"), _("people"), order=204)
def not_found(area: Area | None) -> int:
    return _one_task_figure(area, "not_found")


@for_areas("screening.not_found")
def not_found_in(areas) -> list[int]:
    return _task_figure_in(areas, "not_found")


@figure("screening.open", _("Screening tasks open"), _("tasks"), order=205, link="screening:tasks")
def open_tasks(area: Area | None) -> int:
    return _one_task_figure(area, "open")


@for_areas("screening.open")
def open_tasks_in(areas) -> list[int]:
    return tally_in(
        ScreeningTask.objects.all(), "area", areas, _task_aggregates(timezone.now())["open"]
    )


@figure(
    "screening.overdue",
    _("Screening tasks overdue"),
    _("tasks"),
    order=206,
    link="screening:tasks?show=overdue",
)
def overdue(area: Area | None) -> int:
    return _one_task_figure(area, "overdue")


@for_areas("screening.overdue")
def overdue_in(areas) -> list[int]:
    return tally_in(
        ScreeningTask.objects.all(), "area", areas, _task_aggregates(timezone.now())["overdue"]
    )


@figure("screening.median_to_close", _("Median time to close a task"), _("minutes"), order=207)
def median_to_close(area: Area | None) -> float:
    minutes = [
        _minutes(received, closed)
        for received, closed in _tasks(area)
        .filter(status=CLOSED)
        .values_list("received_at", "closed_at")
    ]
    return _finish({}, {}, minutes)["median_minutes_to_close"]


def breakdown(area: Area | None, by: str) -> list[dict[str, Any]]:
    """The figures per source (``by="source"``) or per area one level below ``area``
    (``by="area"``): a list of dicts with ``key``, ``label`` and the figures.

    A task whose person was pushed by two sources counts for both sources."""
    records, tasks = _records(area), _tasks(area)
    if by == "source":
        labels = dict(PushSource.objects.values_list("pk", "name"))
        record_key, task_key = "source_id", "records__source_id"
    elif by == "area":
        children = list(
            Area.objects.filter(parent=area) if area else Area.objects.filter(parent=None)
        )
        labels = {c.code: c.name for c in children}

        def child_of(field: str) -> Case:
            return Case(
                *[When(**_within(c, field), then=Value(c.code)) for c in children],
                default=Value(""),
                output_field=CharField(),
            )

        records = records.annotate(_group=child_of("resolved_area"))
        tasks = tasks.annotate(_group=child_of("area"))
        record_key = task_key = "_group"
    else:
        raise ValueError(f"breakdown by {by!r}: expected 'source' or 'area'")
    by_records = {
        row.pop(record_key): row
        for row in records.values(record_key).annotate(**_record_aggregates()).order_by()
    }
    by_tasks = {
        row.pop(task_key): row
        for row in tasks.values(task_key)
        .annotate(**_task_aggregates(timezone.now(), joined=by == "source"))
        .order_by()
    }
    minutes: dict[Any, list[float]] = defaultdict(list)
    closed = tasks.filter(status=CLOSED).values_list(task_key, "id", "received_at", "closed_at")
    for key, _id, received, closed_at in closed.distinct():
        minutes[key].append(_minutes(received, closed_at))
    keys = [k for k in labels if k in by_records or k in by_tasks]
    if by == "source":
        keys.sort(key=lambda k: str(labels[k]))
    return [
        {
            "key": key,
            "label": labels[key],
            **_finish(by_records.get(key, {}), by_tasks.get(key, {}), minutes[key]),
        }
        for key in keys
    ]


@dataclass(frozen=True)
class _Breakdown:
    """A breakdown as the figure cache reads it (``figure_cache.FigureLike``)."""

    name: str
    by: str

    def fn(self, area: Area | None) -> list[dict[str, Any]]:
        return breakdown(area, self.by)


BREAKDOWNS = (
    _Breakdown("screening.breakdown.source", "source"),
    _Breakdown("screening.breakdown.area", "area"),
)


def breakdowns_shown(area: Area | None, *, fresh: bool = False) -> dict[str, list[dict]]:
    """The desk's breakdowns by source and by area (``{"source": rows, "area": rows}``)
    as the dashboards show figures: shared by every reader of ``area`` for a
    few seconds (``zhanyi.core.figure_cache``), computed again when ``fresh``.
    The report computes them with ``breakdown``, never from the cache."""
    entries = figure_cache.values(BREAKDOWNS, area, fresh=fresh)
    return {b.by: entries[b.name][0] for b in BREAKDOWNS}
