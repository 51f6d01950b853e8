"""Tracing's work for the teams: the cases a tracing team (流调队) investigates,
open until the investigation is done, due at the 24-hour deadline (``zhanyi.teams.work``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhanyi.core.masking import mask_name
from zhanyi.teams.models import TRACING_KINDS, Team
from zhanyi.teams.work import WorkItem, Workload, work_kind
from zhanyi.tracing.models import Case


def _open(team_ids):
    return Case.objects.filter(team_id__in=team_ids, investigated_at=None)


def case_items(team: Team, limit: int) -> list[WorkItem]:
    rows = _open([team.pk]).select_related("person").order_by("investigation_due_at", "id")
    return [
        WorkItem(
            kind=str(_("Case")),
            label=f"#{c.pk} {mask_name(c.person.name)}",
            due_at=c.investigation_due_at,
            url=reverse("tracing:case", args=[c.pk]),
        )
        for c in rows[:limit]
    ]


def case_counts(teams: Sequence[Team], now: dt.datetime, soon: dt.datetime) -> dict[int, Workload]:
    rows = (
        _open([t.pk for t in teams])
        .values("team_id")
        .annotate(
            n=Count("id"),
            soon=Count(
                "id", filter=Q(investigation_due_at__gte=now, investigation_due_at__lt=soon)
            ),
            late=Count("id", filter=Q(investigation_due_at__lt=now)),
        )
    )
    return {r["team_id"]: Workload(r["n"], r["soon"], r["late"]) for r in rows}


work_kind(
    "cases",
    _("Cases to investigate"),
    team_kinds=TRACING_KINDS,
    items=case_items,
    counts=case_counts,
)
