"""The teams' own work: the village team's control list (先管后筛)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhanyi.core.masking import mask_name
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus

from .models import Team, TeamKind
from .work import WorkItem, Workload, work_kind


def _open(area_ids):
    return Handoff.objects.filter(
        kind=HandoffKind.CONTROL, status=HandoffStatus.OPEN, area_id__in=area_ids
    )


def control_items(team: Team, limit: int) -> list[WorkItem]:
    rows = _open([team.area_id]).select_related("person").order_by("due_at", "id")[:limit]
    return [
        WorkItem(
            kind=str(_("Control")),
            label=mask_name(h.person.name),
            due_at=h.due_at,
            url=reverse("teams:control", args=[h.pk]),
        )
        for h in rows
    ]


def control_counts(
    teams: Sequence[Team], now: dt.datetime, soon: dt.datetime
) -> dict[int, Workload]:
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
    "control",
    _("Control first (先管后筛)"),
    team_kinds=[TeamKind.FIVE_TO_ONE],
    items=control_items,
    counts=control_counts,
)
