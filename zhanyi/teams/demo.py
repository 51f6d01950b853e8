"""The demo's teams: who worked in 台商投资区 and 福龙社区 in September 2021.

``replay_teams`` (before the family cluster, so its cases are assigned to a
tracing team by area and load as they are filed) names a city tracing team,
two county tracing teams of 台商投资区 (the ``tracer`` account leads the first),
福龙社区's tracing assistants and its five-to-one team (五包一: the ``fivetoone``
account is its grid worker and leader), with their training.
``replay_control`` (after the cluster) closes the city's control tasks (先管后筛)
with the measure taken, leaving the last few of 福龙社区 open for the phone's list.
Both go through the teams' actions and are idempotent.
"""

from __future__ import annotations

import datetime as dt

from zhanyi.accounts.models import User
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus
from zhanyi.places.models import Area, AreaLevel

from . import actions, queries
from .models import ControlMeasure, MemberRole, Shift, Team, TeamKind

ZONE, COMMUNITY = "台商投资区", "福龙社区"
TRAINED_ON = dt.date(2021, 9, 12)
#: Control tasks of 福龙社区 left open, for the five-to-one member's phone.
LEFT_OPEN = 3

# (team name, kind, area: "city" | ZONE | COMMUNITY, shift, members: (role, name, account))
TEAMS = (
    (
        "漳州市流调第一队",
        TeamKind.CITY_TRACING,
        "city",
        Shift.ROUND_THE_CLOCK,
        [(MemberRole.TRACER, "市疾控流调员甲", None), (MemberRole.TRACER, "市疾控流调员乙", None)],
    ),
    (
        "台商投资区流调一队",
        TeamKind.COUNTY_TRACING,
        ZONE,
        Shift.DAY,
        [
            (MemberRole.TRACER, "", "tracer"),
            (MemberRole.TRACER, "区疾控流调员丙", None),
            (MemberRole.POLICE, "区公安民警丁", None),
        ],
    ),
    (
        "台商投资区流调二队",
        TeamKind.COUNTY_TRACING,
        ZONE,
        Shift.NIGHT,
        [(MemberRole.TRACER, "区疾控流调员戊", None), (MemberRole.TRACER, "区卫健流调员己", None)],
    ),
    (
        "福龙社区流调协查员",
        TeamKind.TRACING_ASSISTANTS,
        COMMUNITY,
        Shift.ROUND_THE_CLOCK,
        [(MemberRole.ASSISTANT, "社区协查员庚", None)],
    ),
    (
        "福龙社区五包一",
        TeamKind.FIVE_TO_ONE,
        COMMUNITY,
        Shift.ROUND_THE_CLOCK,
        [
            (MemberRole.GRID_WORKER, "", "fivetoone"),
            (MemberRole.TOWNSHIP_CADRE, "街道干部辛", None),
            (MemberRole.VILLAGE_CADRE, "社区干部壬", None),
            (MemberRole.MEDIC, "社区医生癸", None),
            (MemberRole.POLICE, "社区民警子", None),
        ],
    ),
)


def _area(which: str) -> Area | None:
    if which == "city":
        return Area.objects.filter(level=AreaLevel.CITY).order_by("path").first()
    return Area.objects.filter(name=which).order_by("path").first()


def replay_teams(*, acting_user, say=print) -> dict:
    """Name the teams (once); the counts of teams and members made."""
    made = {"teams": 0, "members": 0}
    for name, kind, where, shift, members in TEAMS:
        area = _area(where)
        if area is None or Team.objects.filter(area=area, name=name).exists():
            continue
        team = actions.do_create_team(
            acting_user=acting_user, name=name, kind=kind, area=area, shift=shift
        )
        made["teams"] += 1
        for i, (role, member_name, username) in enumerate(members):
            user = User.objects.filter(username=username).first() if username else None
            if username and user is None:
                continue
            member = actions.do_add_member(
                team,
                acting_user=acting_user,
                role=role,
                user=user,
                name=member_name,
                leader=i == 0,
            )
            actions.do_record_training(
                member,
                acting_user=acting_user,
                course="流调与“五包一”工作规范",
                taken_on=TRAINED_ON,
                passed=True,
            )
            made["members"] += 1
    say(f"Teams: {made['teams']} teams, {made['members']} members named.")
    return made


def replay_control(*, acting_user, say=print) -> dict:
    """Close the city's control tasks handed over so far, each with its measure
    an hour after it was handed over (the village teams put the pushed lists'
    people and the contacts under control within the two hours), but the last
    few of 福龙社区 for the five-to-one member's phone: those the protocol sends
    to a site (a transfer hand-off from the same origin) were asked into
    centralised quarantine, the others controlled at home."""
    community = _area(COMMUNITY)
    if community is None:
        return {"closed": 0}
    community_controls = list(queries.open_controls(community.path))
    kept = {h.pk for h in community_controls[max(0, len(community_controls) - LEFT_OPEN) :]}
    controls = [h for h in queries.open_controls() if h.pk not in kept]
    closed = 0
    for handoff in controls:
        if handoff.status != HandoffStatus.OPEN:
            continue
        centralised = Handoff.objects.filter(
            origin=handoff.origin, kind=HandoffKind.TRANSFER
        ).exists()
        actions.do_close_control(
            handoff,
            acting_user=acting_user,
            measure=ControlMeasure.CENTRALISED_REQUESTED if centralised else ControlMeasure.HOME,
            # an hour into the two hours the protocol gives
            measured_at=handoff.due_at - dt.timedelta(hours=1),
        )
        closed += 1
    say(f"Teams: {closed} control tasks closed, {len(kept)} of {COMMUNITY} open.")
    return {"closed": closed, "open": len(kept)}
