"""Deadlines of screening (协查), for the supervision ledger: a pushed person
found on the ground within 2 h of receipt (``screening.find_within_hours``),
by the village's five-to-one team (community control)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.core.deadlines import Item, Rows, deadline, window_start
from zhanyi.core.masking import mask_name
from zhanyi.core.metrics import area_filter
from zhanyi.places.models import Area

from .models import ScreeningTask


def _open_late(now: dt.datetime):
    return ScreeningTask.objects.filter(status=ScreeningTask.Status.OPEN, due_at__lt=now)


def _closed_late(now: dt.datetime):
    return ScreeningTask.objects.filter(
        status=ScreeningTask.Status.CLOSED,
        closed_at__gt=F("due_at"),
        closed_at__gte=window_start(now),
        closed_at__lte=now,
    )


@deadline(
    "screening.task",
    gettext_lazy("Screening task"),
    "screening.find_within_hours",
    owner="community",
    rows=Rows(_open_late, _closed_late, area="area", due="due_at", closed_at="closed_at"),
)
def screening_tasks(area: Area | None, now: dt.datetime) -> list[Item]:
    """Open tasks past their due time, and tasks closed late lately."""
    late = (
        (_open_late(now) | _closed_late(now))
        .filter(**area_filter(area, "area__path"))
        .select_related("person", "area")
    )
    return [
        Item(
            deadline="screening.task",
            what=_("Find %(category)s") % {"category": task.get_category_display()},
            whose=mask_name(task.person.name),
            area=task.area,
            due_at=task.due_at,
            closed_at=task.closed_at,
            link=reverse("screening:task", args=[task.pk]),
        )
        for task in late
    ]
