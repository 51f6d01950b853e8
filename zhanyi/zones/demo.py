"""The zones' step of the demo's replay of September 2021 (分区分级).

The article: the confirmed cases' community 福龙社区 a medium-risk area, their
compound 万益学府花园 a sealed zone, the whole 台商投资区 a controlled zone,
and eight county units around it prevention zones. The sealed and controlled
zones are proposed from the replayed cases by the protocol's rules; the
medium-risk area and the prevention zones are declared as the article names
them; the commander approves all four on 17 September. Idempotent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from zhanyi.places.models import Area, AreaLevel
from zhanyi.zones import actions
from zhanyi.zones.models import Zone, ZoneState

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
ZONES_AT = dt.datetime(2021, 9, 17, 8, 0, tzinfo=SHANGHAI)
COMMUNITY = "福龙社区"
PREVENTION = ("龙海区", "长泰区", "龙文区", "芗城区", "漳浦县", "华安县", "漳州开发区", "高新区")
SOURCE = "demo:article"


def _declared(acting_user) -> list[Zone]:
    """The medium-risk area and the prevention zone, as the article names them."""
    if Zone.objects.filter(source=SOURCE).exists():
        return list(Zone.objects.filter(source=SOURCE))
    zones = []
    community = Area.objects.filter(name=COMMUNITY, level=AreaLevel.VILLAGE).first()
    if community is not None:
        zones.append(
            actions.do_propose_zone(
                tier="medium_risk",
                name=f"{COMMUNITY}中风险地区",
                reason="确诊病例所在社区，依法依规实行“只进不出”。",
                areas=[community],
                acting_user=acting_user,
                source=SOURCE,
                now=ZONES_AT,
            )
        )
    counties = list(Area.objects.filter(level=AreaLevel.COUNTY, name__in=PREVENTION))
    if counties:
        zones.append(
            actions.do_propose_zone(
                tier="prevention",
                name="邻近涉疫地区的8个县（区）、开发区防范区",
                reason="邻近涉疫地区，强化社会面管控，严格限制人员聚集。",
                areas=counties,
                acting_user=acting_user,
                source=SOURCE,
                now=ZONES_AT,
            )
        )
    return zones


def replay_zones(*, acting_user, say: Callable[[str], None] = print) -> dict:
    proposed = actions.do_propose_from_cases(
        acting_user=acting_user, now=ZONES_AT, tiers=["sealed", "controlled"]
    )
    zones = proposed.zones + proposed.existing + _declared(acting_user)
    approved = 0
    for zone in zones:
        if zone.state == ZoneState.PROPOSED:
            actions.do_approve_zone(zone, acting_user=acting_user, starts_at=ZONES_AT, now=ZONES_AT)
            approved += 1
    if not approved:
        say("Zones: the article's zones are in force already.")
    out = {}
    for zone in Zone.objects.filter(pk__in=[z.pk for z in zones]):
        out[zone.tier] = actions.residents(zone).count()
    say(
        "Zones: "
        + ", ".join(f"{tier} ({people} residents)" for tier, people in sorted(out.items()))
    )
    return {"approved": approved, "residents": out}
