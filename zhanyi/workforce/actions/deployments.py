"""Headcounts deployed by area and shift (力量部署), mutual-aid teams arriving and
leaving, temporary party branches and their posts."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.lengths import too_long
from zhanyi.places.models import Area
from zhanyi.workforce.models import (
    Deployment,
    Direction,
    ForceKind,
    MutualAidTeam,
    PartyBranch,
    Shift,
)

from .common import require

#: A headcount larger than this is a typing slip, not a deployment.
MAX_HEADCOUNT = 100_000


def _headcount(value, field: str = "headcount") -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_HEADCOUNT:
        raise ValidationError(
            {
                field: _("A headcount is a whole number from 1 to %(max)s, not %(value)s.")
                % {"max": f"{MAX_HEADCOUNT:,}", "value": value}
            }
        )
    return value


def _choice(value: str, choices, field: str, label: str) -> str:
    if value not in choices.values:
        raise ValidationError(
            {field: _("Unknown %(what)s: %(value)s.") % {"what": label, "value": value}}
        )
    return value


@transaction.atomic
def do_deploy(
    *,
    area: Area,
    kind: str,
    headcount: int,
    shift: str = Shift.ALL_DAY,
    post: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    acting_user,
    request=None,
) -> Deployment:
    """``headcount`` people of ``kind`` deployed in ``area`` on ``shift``."""
    require(acting_user, "edit_operations", area)
    _choice(kind, ForceKind, "kind", _("kind of force"))
    _choice(shift, Shift, "shift", _("shift"))
    _headcount(headcount)
    post = (post or "").strip()
    if message := too_long(Deployment, "post", post):
        raise ValidationError({"post": message})
    since = since or timezone.now()
    if until is not None and until <= since:
        raise ValidationError({"until": _("A deployment ends after it starts.")})
    deployment = Deployment.objects.create(
        area=area,
        kind=kind,
        headcount=headcount,
        shift=shift,
        post=post,
        since=since,
        until=until,
        created_by_name=actor_name(acting_user),
    )
    audit.record(
        actor=acting_user,
        action="workforce.deploy",
        obj=deployment,
        area=area,
        detail={"kind": kind, "headcount": headcount, "shift": shift, "post": post},
        request=request,
    )
    return deployment


@transaction.atomic
def do_end_deployment(
    deployment: Deployment, *, acting_user, now: dt.datetime | None = None, request=None
) -> Deployment:
    """The people of a deployment stood down (撤离)."""
    require(acting_user, "edit_operations", deployment.area)
    now = now or timezone.now()
    if deployment.until is not None and deployment.until <= now:
        raise ValidationError(
            {"until": _("This deployment ended on %(day)s.") % {"day": deployment.until.date()}}
        )
    if now <= deployment.since:
        raise ValidationError({"until": _("A deployment ends after it starts.")})
    deployment.until = now
    deployment.save(update_fields=["until"])
    audit.record(
        actor=acting_user,
        action="workforce.deployment.end",
        obj=deployment,
        area=deployment.area,
        detail={"kind": deployment.kind, "headcount": deployment.headcount},
        request=request,
    )
    return deployment


@transaction.atomic
def do_register_team(
    *,
    name: str,
    direction: str,
    kind: str,
    headcount: int,
    counterpart: str,
    area: Area,
    acting_user,
    request=None,
) -> MutualAidTeam:
    """A mutual-aid team expected to arrive, or about to be sent."""
    require(acting_user, "edit_operations", area)
    name, counterpart = (name or "").strip(), (counterpart or "").strip()
    if not name or not counterpart:
        raise ValidationError(
            {"name": _("A team needs a name and the place it comes from or goes to.")}
        )
    for field, value in (("name", name), ("counterpart", counterpart)):
        if message := too_long(MutualAidTeam, field, value):
            raise ValidationError({field: message})
    _choice(direction, Direction, "direction", _("direction"))
    _choice(kind, ForceKind, "kind", _("kind of force"))
    _headcount(headcount)
    team = MutualAidTeam.objects.create(
        name=name,
        direction=direction,
        kind=kind,
        headcount=headcount,
        counterpart=counterpart,
        area=area,
    )
    audit.record(
        actor=acting_user,
        action="workforce.team.register",
        obj=team,
        area=area,
        detail={"direction": direction, "headcount": headcount, "counterpart": counterpart},
        request=request,
    )
    return team


@transaction.atomic
def do_move_team(
    team: MutualAidTeam, *, step: str, acting_user, now: dt.datetime | None = None, request=None
) -> MutualAidTeam:
    """``start``: the team arrived (or left for its mission); ``end``: it went
    home (or came back)."""
    require(acting_user, "edit_operations", team.area)
    now = now or timezone.now()
    if step == "start":
        if team.started_at is not None:
            raise ValidationError(
                {
                    "step": _("%(team)s started on %(day)s already.")
                    % {"team": team.name, "day": team.started_at.date()}
                }
            )
        team.started_at = now
    elif step == "end":
        if team.started_at is None or team.ended_at is not None:
            raise ValidationError(
                {
                    "step": _("%(team)s is not out in the field: it has not started, or has ended.")
                    % {"team": team.name}
                }
            )
        if now <= team.started_at:
            raise ValidationError({"step": _("A team ends after it starts.")})
        team.ended_at = now
    else:
        raise ValidationError({"step": _("Unknown step: %(step)s.") % {"step": step}})
    team.save(update_fields=["started_at", "ended_at"])
    audit.record(
        actor=acting_user,
        action=f"workforce.team.{step}",
        obj=team,
        area=team.area,
        detail={"direction": team.direction, "headcount": team.headcount},
        request=request,
    )
    return team


@transaction.atomic
def do_add_branch(
    *,
    name: str,
    area: Area,
    members: int = 0,
    posts: int = 0,
    established_at: dt.datetime | None = None,
    acting_user,
    request=None,
) -> PartyBranch:
    """A temporary party branch at the front and the party member posts it keeps."""
    require(acting_user, "edit_operations", area)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("A party branch needs a name.")})
    if message := too_long(PartyBranch, "name", name):
        raise ValidationError({"name": message})
    for field, value in (("members", members), ("posts", posts)):
        if not isinstance(value, int) or not 0 <= value <= MAX_HEADCOUNT:
            raise ValidationError({field: _("A count is a whole number from 0.")})
    if PartyBranch.objects.filter(area=area, name=name).exists():
        raise ValidationError(
            {
                "name": _("%(area)s has a branch named %(name)s already.")
                % {"area": area.name, "name": name}
            }
        )
    branch = PartyBranch.objects.create(
        name=name,
        area=area,
        members=members,
        posts=posts,
        established_at=established_at or timezone.now(),
    )
    audit.record(
        actor=acting_user,
        action="workforce.branch.add",
        obj=branch,
        area=area,
        detail={"name": name, "members": members, "posts": posts},
        request=request,
    )
    return branch
