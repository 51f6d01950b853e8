"""Reads of the teams app, with the access check: capability and jurisdiction.

A team is seen by users whose jurisdiction holds its area; a control task by
users whose jurisdiction holds its village. Outside it, a team or a task does
not exist (404).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from zhanyi.accounts.roles import has_capability
from zhanyi.core import jurisdiction
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus
from zhanyi.places.models import Area

from .models import Team, TeamKind, TeamMember


def _user_of(request_or_user: Any):
    return getattr(request_or_user, "user", request_or_user)


def require_access(user, capability: str = "view_person") -> None:
    if not has_capability(user, capability) or jurisdiction.root_path(user) is None:
        raise PermissionDenied(f"requires {capability} and a jurisdiction")


def teams_for(user, *, kind: str = "") -> QuerySet[Team]:
    require_access(user)
    teams = jurisdiction.scope(Team.objects.select_related("area"), user, "area__path")
    return teams.filter(kind=kind) if kind else teams


def get_team_for_user(request_or_user, team_id: int, *, capability: str = "view_person") -> Team:
    """The team if the user may see it: 403 without the capability, 404 when it
    does not exist or lies outside the jurisdiction."""
    user = _user_of(request_or_user)
    require_access(user, capability)
    try:
        team = Team.objects.select_related("area").get(pk=team_id)
    except (Team.DoesNotExist, ValueError, TypeError):
        raise Http404("no such team") from None
    if not jurisdiction.can_see_area(user, team.area):
        raise Http404("no such team")
    return team


def get_member_for_user(request_or_user, member_id: int, *, capability: str) -> TeamMember:
    user = _user_of(request_or_user)
    require_access(user, capability)
    try:
        member = TeamMember.objects.select_related("team", "team__area").get(pk=member_id)
    except (TeamMember.DoesNotExist, ValueError, TypeError):
        raise Http404("no such member") from None
    if not jurisdiction.can_see_area(user, member.team.area):
        raise Http404("no such member")
    return member


def members_of(team: Team) -> QuerySet[TeamMember]:
    return team.members.select_related("user").prefetch_related("trainings")


def five_to_one_team_of(area: Area | None) -> Team | None:
    """The five-to-one team (五包一) of a village, the first if it has several."""
    if area is None:
        return None
    return (
        Team.objects.filter(area=area, kind=TeamKind.FIVE_TO_ONE, active=True)
        .prefetch_related("members")
        .order_by("name", "id")
        .first()
    )


# ------------------------------------------------------------- control tasks


def open_controls(area_path: str | None = None) -> QuerySet[Handoff]:
    """Open control hand-offs, under ``area_path`` when given, earliest due first."""
    qs = Handoff.objects.filter(kind=HandoffKind.CONTROL, status=HandoffStatus.OPEN)
    if area_path:
        qs = qs.filter(area__path__startswith=area_path)
    return qs.select_related("person", "area", "control_record").order_by("due_at", "id")


def controls_for(user) -> QuerySet[Handoff]:
    """The open control tasks in the user's jurisdiction (先管后筛)."""
    require_access(user)
    return jurisdiction.scope(open_controls(), user, "area__path")


def escalated_controls_for(user) -> QuerySet[Handoff]:
    """Open control tasks escalated to a township (overdue), for supervision."""
    return controls_for(user).filter(control_record__escalated_at__isnull=False)


def get_control_for_user(request_or_user, handoff_id: int, *, capability: str) -> Handoff:
    user = _user_of(request_or_user)
    require_access(user, capability)
    try:
        handoff = Handoff.objects.select_related("person", "area").get(
            pk=handoff_id, kind=HandoffKind.CONTROL
        )
    except (Handoff.DoesNotExist, ValueError, TypeError):
        raise Http404("no such control task") from None
    if not jurisdiction.can_see_area(user, handoff.area):
        raise Http404("no such control task")
    return handoff
