"""Who investigates a case (流调队): assigned automatically by area and load
when it is filed, by hand, and reassigned by the team's leader with a reason."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import has_capability
from zhanyi.core.actors import actor_name
from zhanyi.core.audit import SystemActor
from zhanyi.core.lengths import too_long
from zhanyi.teams.models import TRACING_KINDS, Team
from zhanyi.tracing.models import Case, CaseAssignment

from .common import audit_case, require


def choose_team(case: Case) -> Team | None:
    """The tracing team a new case goes to: of the teams whose area holds the
    case's village, the one with the fewest open cases, the nearest (a county
    team before the city's) on a tie, then by name."""
    ancestors = [a.pk for a in case.area.ancestors()]
    teams = (
        Team.objects.filter(kind__in=TRACING_KINDS, active=True, area_id__in=ancestors)
        .select_related("area")
        .annotate(open_cases=Count("cases", filter=Q(cases__investigated_at=None)))
    )
    ranked = sorted(teams, key=lambda t: (t.open_cases, -t.area.depth, t.name, t.pk))
    return ranked[0] if ranked else None


def assign_new_case(case: Case, *, acting_user) -> Case:
    """Give a new case to a tracing team by area and load (none: it waits unassigned)."""
    team = choose_team(case)
    if team is None:
        return case
    _assign(case, team, acting_user=acting_user, reason="", automatic=True)
    return case


def _assign(case: Case, team: Team, *, acting_user, reason: str, automatic: bool, request=None):
    old = case.team
    case.team = team
    case.save(update_fields=["team"])
    CaseAssignment.objects.create(
        case=case,
        team=team,
        assigned_at=timezone.now(),
        automatic=automatic,
        reason=reason,
        by_name=actor_name(acting_user),
    )
    audit_case(
        "case.assign",
        acting_user=acting_user,
        case=case,
        request=request,
        detail={
            "team": team.pk,
            "old_team": old.pk if old else None,
            "automatic": automatic,
            "reason": reason,
        },
    )


def _may_reassign(acting_user: Any, team: Team) -> bool:
    """The leader of the case's team reassigns; so do headquarters (``approve``)."""
    if isinstance(acting_user, SystemActor):
        return True
    if has_capability(acting_user, "approve"):
        return True
    return team.members.filter(user=acting_user, is_leader=True).exists()


@transaction.atomic
def do_assign_case(case: Case, team: Team, *, acting_user, reason: str = "", request=None) -> Case:
    """Give ``case`` to ``team`` by hand. A case that has a team already is
    reassigned only by that team's leader (or headquarters), with a reason."""
    case = Case.objects.select_for_update().select_related("area", "person").get(pk=case.pk)
    require(acting_user, "edit_person", case.area)
    reason = " ".join(reason.split())
    errors: dict[str, Any] = {}
    if team.kind not in TRACING_KINDS:
        errors["team"] = _("%(team)s is a %(kind)s, not a tracing team.") % {
            "team": team.name,
            "kind": team.get_kind_display(),
        }
    elif not team.area.contains(case.area):
        errors["team"] = _(
            "%(team)s works in %(team_area)s; case #%(case)s is in %(case_area)s, outside its area."
        ) % {
            "team": team.name,
            "team_area": team.area.name,
            "case": case.pk,
            "case_area": case.area.full_name(),
        }
    elif not team.active:
        errors["team"] = _("%(team)s is not active.") % {"team": team.name}
    elif case.team_id == team.pk:
        errors["team"] = _("Case #%(case)s is with %(team)s already.") % {
            "case": case.pk,
            "team": team.name,
        }
    if case.team is not None and not reason:
        errors["reason"] = _("Say why the case moves from %(team)s.") % {"team": case.team.name}
    elif long := too_long(CaseAssignment, "reason", reason):
        errors["reason"] = long
    if errors:
        raise ValidationError(errors)
    if case.team is not None and not _may_reassign(acting_user, case.team):
        raise PermissionDenied(
            _("Only the leader of %(team)s reassigns its cases.") % {"team": case.team.name}
        )
    _assign(case, team, acting_user=acting_user, reason=reason, automatic=False, request=request)
    return case
