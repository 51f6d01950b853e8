"""Figures of the teams (数出一门): their number and their workload."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhanyi.core import figure_cache
from zhanyi.core.metrics import area_filter, figure, tally
from zhanyi.places.models import Area

from . import work
from .models import TRACING_KINDS, Team, TeamKind, TeamMember


def _teams(area: Area | None):
    return Team.objects.filter(active=True, **area_filter(area, "area__path"))


@tally(
    "teams.tracing_teams", _("Tracing teams"), _("teams"), order=90, link="teams:list", area="area"
)
def tracing_teams():
    return Team.objects.filter(active=True, kind__in=TRACING_KINDS)


@tally("teams.tracers", _("Members of tracing teams"), _("people"), order=91, area="team__area")
def tracers():
    return TeamMember.objects.filter(team__active=True, team__kind__in=TRACING_KINDS)


@tally("teams.five_to_one_teams", _("Five-to-one teams"), _("teams"), order=92, area="area")
def five_to_one_teams():
    return Team.objects.filter(active=True, kind=TeamKind.FIVE_TO_ONE)


def _workload(area: Area | None) -> work.Workload:
    """The teams' workload in ``area``, read once per pass of figures (three read it)."""

    def read() -> work.Workload:
        total = work.Workload()
        for load in work.workloads(list(_teams(area))).values():
            total.add(load)
        return total

    return figure_cache.shared(("teams.workload", area.pk if area is not None else None), read)


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
