"""Figures of screening (数出一门): defined once, read by the dashboard and the report.

Every figure counts people, not rows: a person pushed by three sources is one
person received, and one person found. ``breakdown`` gives the same figures
by source or by area for the twice-daily report.
"""

from __future__ import annotations

import statistics
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import area_filter, figure
from zhanyi.places.models import Area

from .models import PushRecord, PushSource, ScreeningTask

Outcome = ScreeningTask.Outcome


def _records(area: Area | None) -> QuerySet[PushRecord]:
    return PushRecord.objects.filter(**area_filter(area, "resolved_area__path"))


def _tasks(area: Area | None) -> QuerySet[ScreeningTask]:
    return ScreeningTask.objects.filter(**area_filter(area, "area__path"))


def _people_with(tasks: QuerySet[ScreeningTask], **where) -> int:
    return tasks.filter(**where).values("person_id").distinct().count()


def _median_minutes(tasks: QuerySet[ScreeningTask]) -> float:
    """Median minutes from receipt to close over the closed tasks (0 when none)."""
    durations = [
        (closed - received).total_seconds() / 60
        for received, closed in tasks.filter(status=ScreeningTask.Status.CLOSED).values_list(
            "received_at", "closed_at"
        )
    ]
    return round(statistics.median(durations), 1) if durations else 0


def figures_of(records: QuerySet[PushRecord], tasks: QuerySet[ScreeningTask]) -> dict[str, Any]:
    """The screening figures over these records and tasks (the one definition)."""
    now = timezone.now()
    return {
        "records": records.count(),
        "people": records.exclude(person=None).values("person_id").distinct().count()
        + records.filter(person=None).count(),
        "found_in_city": _people_with(tasks, outcome=Outcome.FOUND_IN_CITY),
        "not_in_city": _people_with(tasks, outcome=Outcome.NOT_IN_CITY),
        "not_found": _people_with(tasks, outcome=Outcome.NOT_FOUND),
        "open": tasks.filter(status=ScreeningTask.Status.OPEN).count(),
        "overdue": tasks.filter(status=ScreeningTask.Status.OPEN, due_at__lt=now).count(),
        "median_minutes_to_close": _median_minutes(tasks),
    }


@figure("screening.records", _("Pushed records received"), _("records"), order=200)
def records_received(area: Area | None) -> int:
    return _records(area).count()


@figure("screening.people", _("Pushed people (counted once)"), _("people"), order=201)
def people(area: Area | None) -> int:
    records = _records(area)
    return (
        records.exclude(person=None).values("person_id").distinct().count()
        + records.filter(person=None).count()
    )


@figure("screening.found_in_city", _("Found in the city"), _("people"), order=202)
def found_in_city(area: Area | None) -> int:
    return _people_with(_tasks(area), outcome=Outcome.FOUND_IN_CITY)


@figure("screening.not_in_city", _("Not in the city"), _("people"), order=203)
def not_in_city(area: Area | None) -> int:
    return _people_with(_tasks(area), outcome=Outcome.NOT_IN_CITY)


@figure("screening.not_found", _("Not found"), _("people"), order=204)
def not_found(area: Area | None) -> int:
    return _people_with(_tasks(area), outcome=Outcome.NOT_FOUND)


@figure("screening.open", _("Screening tasks open"), _("tasks"), order=205)
def open_tasks(area: Area | None) -> int:
    return _tasks(area).filter(status=ScreeningTask.Status.OPEN).count()


@figure("screening.overdue", _("Screening tasks overdue"), _("tasks"), order=206)
def overdue(area: Area | None) -> int:
    return _tasks(area).filter(status=ScreeningTask.Status.OPEN, due_at__lt=timezone.now()).count()


@figure("screening.median_to_close", _("Median time to close a task"), _("minutes"), order=207)
def median_to_close(area: Area | None) -> float:
    return _median_minutes(_tasks(area))


def breakdown(area: Area | None, by: str) -> list[dict[str, Any]]:
    """The figures per source (``by="source"``) or per area one level below ``area``
    (``by="area"``), each a dict with ``key``, ``label`` and the figures."""
    records, tasks = _records(area), _tasks(area)
    rows: list[dict[str, Any]] = []
    if by == "source":
        for source in PushSource.objects.filter(
            pk__in=records.values("source_id").distinct()
        ).order_by("name"):
            rows.append(
                {
                    "key": source.pk,
                    "label": source.name,
                    **figures_of(
                        records.filter(source=source),
                        tasks.filter(records__source=source).distinct(),
                    ),
                }
            )
    elif by == "area":
        children = Area.objects.filter(parent=area) if area else Area.objects.filter(parent=None)
        for child in children:
            rows.append(
                {
                    "key": child.code,
                    "label": child.name,
                    **figures_of(
                        records.filter(resolved_area__path__startswith=child.path),
                        tasks.filter(area__path__startswith=child.path),
                    ),
                }
            )
    else:
        raise ValueError(f"breakdown by {by!r}: expected 'source' or 'area'")
    return rows


__all__ = ["breakdown", "figures_of"]
