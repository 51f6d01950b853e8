"""Setting up teams: creating one, its members and leader, their training."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import User
from zhanyi.core.actors import actor_name
from zhanyi.core.lengths import too_long
from zhanyi.places.models import Area, AreaLevel
from zhanyi.teams.models import (
    FIVE_TO_ONE_ROLES,
    MemberRole,
    Shift,
    Team,
    TeamKind,
    TeamMember,
    Training,
)

from .common import record, require

#: The level of area each kind of team works in (a sampling team: any).
LEVEL_OF_KIND = {
    TeamKind.CITY_TRACING: AreaLevel.CITY,
    TeamKind.COUNTY_TRACING: AreaLevel.COUNTY,
    TeamKind.TRACING_ASSISTANTS: AreaLevel.VILLAGE,
    TeamKind.FIVE_TO_ONE: AreaLevel.VILLAGE,
}


@transaction.atomic
def do_create_team(
    *,
    acting_user,
    name: str,
    kind: str,
    area: Area,
    shift: str = Shift.ROUND_THE_CLOCK,
    request=None,
) -> Team:
    """Create a team of ``kind`` working in ``area``."""
    require(acting_user, "edit_operations", area)
    name = " ".join(name.split())
    errors: dict[str, Any] = {}
    if not name:
        errors["name"] = _("Give the team a name.")
    elif long := too_long(Team, "name", name):
        errors["name"] = long
    if kind not in TeamKind.values:
        errors["kind"] = _("Unknown kind of team: %(kind)s.") % {"kind": kind}
    elif (level := LEVEL_OF_KIND.get(TeamKind(kind))) and area.level != level:
        errors["area"] = _("A %(kind)s works in a %(level)s; %(area)s is a %(area_level)s.") % {
            "kind": TeamKind(kind).label,
            "level": AreaLevel(level).label,
            "area": area.name,
            "area_level": area.get_level_display(),
        }
    if shift not in Shift.values:
        errors["shift"] = _("Unknown shift: %(shift)s.") % {"shift": shift}
    if not errors and Team.objects.filter(area=area, name=name).exists():
        errors["name"] = _("%(area)s has a team named %(name)s already.") % {
            "area": area.name,
            "name": name,
        }
    if errors:
        raise ValidationError(errors)
    team = Team.objects.create(
        name=name, kind=kind, area=area, shift=shift, created_by_name=actor_name(acting_user)
    )
    record(
        "teams.team.create",
        acting_user=acting_user,
        obj=team,
        area=area,
        detail={"name": name, "kind": kind, "area": area.code, "shift": shift},
        request=request,
    )
    return team


def _display_name(user: User) -> str:
    return user.get_full_name().strip() or user.first_name or user.username


@transaction.atomic
def do_add_member(
    team: Team,
    *,
    acting_user,
    role: str,
    user: User | None = None,
    name: str = "",
    phone: str = "",
    leader: bool = False,
    request=None,
) -> TeamMember:
    """Add a member to ``team``: an account (``user``), or a ``name`` and
    ``phone`` of someone without one. ``leader``: they lead the team from now."""
    require(acting_user, "edit_operations", team.area)
    name = " ".join((name or (_display_name(user) if user else "")).split())
    errors: dict[str, Any] = {}
    if not name:
        errors["name"] = _("Name the member, or choose their account.")
    elif long := too_long(TeamMember, "name", name):
        errors["name"] = long
    if long := too_long(TeamMember, "phone", phone):
        errors["phone"] = long
    if role not in MemberRole.values:
        errors["role"] = _("Unknown role: %(role)s.") % {"role": role}
    elif team.kind == TeamKind.FIVE_TO_ONE and role not in FIVE_TO_ONE_ROLES:
        errors["role"] = _(
            "A five-to-one team is a township cadre, a village cadre, a medic, a grid worker"
            " and a police officer; %(role)s is none of them."
        ) % {"role": MemberRole(role).label}
    if user is not None and team.members.filter(user=user).exists():
        errors["user"] = _("%(name)s is in %(team)s already.") % {"name": name, "team": team.name}
    if errors:
        raise ValidationError(errors)
    if leader:
        team.members.filter(is_leader=True).update(is_leader=False)
    member = TeamMember.objects.create(
        team=team, user=user, name=name, phone=phone, role=role, is_leader=leader
    )
    record(
        "teams.member.add",
        acting_user=acting_user,
        obj=team,
        area=team.area,
        detail={
            "member": member.pk,
            "user": user.pk if user else None,
            "role": role,
            "leader": leader,
        },
        request=request,
    )
    return member


@transaction.atomic
def do_set_leader(member: TeamMember, *, acting_user, request=None) -> TeamMember:
    """``member`` leads their team from now (the former leader stays a member)."""
    team = member.team
    require(acting_user, "edit_operations", team.area)
    old = team.members.filter(is_leader=True).exclude(pk=member.pk).first()
    if old is not None:
        old.is_leader = False
        old.save(update_fields=["is_leader"])
    member.is_leader = True
    member.save(update_fields=["is_leader"])
    record(
        "teams.member.leader",
        acting_user=acting_user,
        obj=team,
        area=team.area,
        detail={"member": member.pk, "old": old.pk if old else None},
        request=request,
    )
    return member


@transaction.atomic
def do_remove_member(member: TeamMember, *, acting_user, request=None) -> None:
    """Take ``member`` off their team (their training records go with the membership)."""
    team = member.team
    require(acting_user, "edit_operations", team.area)
    detail = {"member": member.pk, "name": member.name, "role": member.role}
    member.delete()
    record(
        "teams.member.remove",
        acting_user=acting_user,
        obj=team,
        area=team.area,
        detail=detail,
        request=request,
    )


@transaction.atomic
def do_record_training(
    member: TeamMember,
    *,
    acting_user,
    course: str,
    taken_on: dt.date,
    passed: bool,
    request=None,
) -> Training:
    """Record that ``member`` took ``course`` on ``taken_on`` (and passed or not)."""
    team = member.team
    require(acting_user, "edit_operations", team.area)
    course = " ".join(course.split())
    if not course:
        raise ValidationError({"course": _("Name the course.")})
    if long := too_long(Training, "course", course):
        raise ValidationError({"course": long})
    if taken_on > timezone.localdate():
        raise ValidationError(
            {
                "taken_on": _("A training cannot be recorded before it happens (%(date)s).")
                % {"date": taken_on.isoformat()}
            }
        )
    training = Training.objects.create(
        member=member,
        course=course,
        taken_on=taken_on,
        passed=passed,
        recorded_by_name=actor_name(acting_user),
    )
    record(
        "teams.training.record",
        acting_user=acting_user,
        obj=team,
        area=team.area,
        detail={
            "member": member.pk,
            "course": course,
            "date": taken_on.isoformat(),
            "passed": passed,
        },
        request=request,
    )
    return training
