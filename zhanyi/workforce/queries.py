"""Reads of the workforce app, each with its access check, and the sums the
figures and pages share (headcounts in force at a moment)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from zhanyi.accounts.roles import has_capability
from zhanyi.core import jurisdiction
from zhanyi.workforce.models import (
    Deployment,
    ForceKind,
    MutualAidTeam,
    PartyBranch,
    RosterEntry,
    RosterImport,
)


def require_view(user) -> None:
    if not has_capability(user, "view_person") or jurisdiction.root_path(user) is None:
        raise PermissionDenied("requires view_person and a jurisdiction")


def in_force(qs: QuerySet[Deployment], at: dt.datetime | None = None) -> QuerySet[Deployment]:
    """Deployments started by ``at`` and not ended."""
    at = at or timezone.now()
    return qs.filter(since__lte=at).filter(Q(until__isnull=True) | Q(until__gt=at))


def headcount(qs: QuerySet[Deployment]) -> int:
    return qs.aggregate(n=Sum("headcount"))["n"] or 0


def person_times(qs: QuerySet[Deployment], at: dt.datetime | None = None) -> int:
    """Person-times (人次): each person of a deployment once for every day (begun)
    it lasted, up to ``at``."""
    at = at or timezone.now()
    total = 0
    for count, since, until in qs.filter(since__lte=at).values_list("headcount", "since", "until"):
        end = min(until or at, at)
        days = max(1, -(-int((end - since).total_seconds()) // 86400))
        total += count * days
    return total


def deployments_for(user) -> QuerySet[Deployment]:
    require_view(user)
    return jurisdiction.scope(Deployment.objects.select_related("area"), user, "area__path")


def get_deployment_for_user(user, deployment_id: int) -> Deployment:
    try:
        return deployments_for(user).get(pk=deployment_id)
    except Deployment.DoesNotExist:
        raise Http404("no such deployment") from None


def by_kind(user) -> list[dict]:
    """Headcount in force of each kind in the jurisdiction, every kind shown."""
    live = in_force(deployments_for(user))
    counts = dict(live.values_list("kind").annotate(n=Sum("headcount")).values_list("kind", "n"))
    return [{"kind": k.label, "value": k.value, "count": counts.get(k.value, 0)} for k in ForceKind]


def teams_for(user) -> QuerySet[MutualAidTeam]:
    require_view(user)
    return jurisdiction.scope(MutualAidTeam.objects.select_related("area"), user, "area__path")


def get_team_for_user(user, team_id: int) -> MutualAidTeam:
    try:
        return teams_for(user).get(pk=team_id)
    except MutualAidTeam.DoesNotExist:
        raise Http404("no such team") from None


def branches_for(user) -> QuerySet[PartyBranch]:
    require_view(user)
    return jurisdiction.scope(PartyBranch.objects.select_related("area"), user, "area__path")


def roster_for(user) -> QuerySet[RosterEntry]:
    require_view(user)
    return jurisdiction.scope(RosterEntry.objects.select_related("area"), user, "area__path")


def get_import_for_user(user, import_id: int) -> RosterImport:
    """An import by someone of the user's jurisdiction (its area inside it)."""
    require_view(user)
    path = jurisdiction.root_path(user)
    qs = RosterImport.objects.all()
    if path:
        qs = qs.filter(area__path__startswith=path)
    try:
        return qs.get(pk=import_id)
    except RosterImport.DoesNotExist:
        raise Http404("no such import") from None
