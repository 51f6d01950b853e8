"""Screening's work for the teams: a village's open screening tasks are its
five-to-one team's (五包一) work (``zhanyi.teams.work``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhanyi.core.masking import mask_name
from zhanyi.screening.models import ScreeningTask
from zhanyi.teams.models import Team, TeamKind
from zhanyi.teams.work import WorkItem, Workload, work_kind


def _open(area_ids):
    return ScreeningTask.objects.filter(status=ScreeningTask.Status.OPEN, area_id__in=area_ids)


def task_items(team: Team, limit: int) -> list[WorkItem]:
    rows = _open([team.area_id]).select_related("person").order_by("due_at", "id")[:limit]
    return [
        WorkItem(
            kind=str(_("Screening task")),
            label=f"{mask_name(t.person.name)} · {t.get_category_display()}",
            due_at=t.due_at,
            url=reverse("screening:task", args=[t.pk]),
        )
        for t in rows
    ]


def task_counts(teams: Sequence[Team], now: dt.datetime, soon: dt.datetime) -> dict[int, Workload]:
    by_area: dict[int, list[int]] = {}
    for team in teams:
        by_area.setdefault(team.area_id, []).append(team.pk)
    rows = (
        _open(list(by_area))
        .values("area_id")
        .annotate(
            n=Count("id"),
            soon=Count("id", filter=Q(due_at__gte=now, due_at__lt=soon)),
            late=Count("id", filter=Q(due_at__lt=now)),
        )
    )
    result: dict[int, Workload] = {}
    for row in rows:
        for team_id in by_area[row["area_id"]]:
            result[team_id] = Workload(row["n"], row["soon"], row["late"])
    return result


work_kind(
    "screening",
    _("Screening tasks"),
    team_kinds=[TeamKind.FIVE_TO_ONE],
    items=task_items,
    counts=task_counts,
)
