"""Figures of the teams (数出一门): their number and their workload."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import area_filter, figure
from zhanyi.places.models import Area

from . import work
from .models import TRACING_KINDS, Team, TeamKind, TeamMember


def _teams(area: Area | None):
    return Team.objects.filter(active=True, **area_filter(area, "area__path"))


@figure("teams.tracing_teams", _("Tracing teams"), _("teams"), order=90, link="teams:list")
def tracing_teams(area: Area | None) -> int:
    return _teams(area).filter(kind__in=TRACING_KINDS).count()


@figure("teams.tracers", _("Members of tracing teams"), _("people"), order=91)
def tracers(area: Area | None) -> int:
    return TeamMember.objects.filter(team__in=_teams(area).filter(kind__in=TRACING_KINDS)).count()


@figure("teams.five_to_one_teams", _("Five-to-one teams"), _("teams"), order=92)
def five_to_one_teams(area: Area | None) -> int:
    return _teams(area).filter(kind=TeamKind.FIVE_TO_ONE).count()


def _workload(area: Area | None) -> work.Workload:
    total = work.Workload()
    for load in work.workloads(list(_teams(area))).values():
        total.add(load)
    return total


@figure("teams.open_work", _("Teams' open work"), _("items"), order=93, link="teams:list")
def open_work(area: Area | None) -> int:
    """Open items over every team: cases to investigate, tasks, control tasks."""
    return _workload(area).open


@figure("teams.due_soon", _("Teams' work due soon"), _("items"), order=94, link="teams:list")
def due_soon(area: Area | None) -> int:
    return _workload(area).due_soon


@figure("teams.overdue", _("Teams' overdue work"), _("items"), order=95, link="teams:list")
def overdue(area: Area | None) -> int:
    return _workload(area).overdue
