"""The quarantine task force's step of the demo's replay of September 2021.

Sites in every county (hotels, and cabins in reserve), each county twinned
with its neighbour, then everyone the replay's tracing and screening handed to
transfer is planned and placed, each confirmed three hours after they were
identified (the article: everyone within 8 hours). Idempotent: sites are made
once, and only those still waiting are placed."""

from __future__ import annotations

import datetime as dt
import random

from zhanyi.handoffs.models import Handoff
from zhanyi.places.models import Area, AreaLevel
from zhanyi.quarantine import actions
from zhanyi.quarantine.models import Placement, PlacementState, Site, Twinning

#: Per county: active hotels (singles, family rooms of 3) and one reserve cabin site.
HOTELS_PER_COUNTY = 2
SINGLES, FAMILIES, CABINS = 40, 6, 60


def _sites(acting_user, rng: random.Random) -> int:
    made = 0
    counties = list(Area.objects.filter(level=AreaLevel.COUNTY).order_by("code"))
    for county in counties:
        lon, lat = county.lon or 117.65, county.lat or 24.51
        for n in range(HOTELS_PER_COUNTY + 1):
            reserve = n == HOTELS_PER_COUNTY
            name = f"{county.name}{'方舱' if reserve else '隔离酒店'}{n + 1}"
            if Site.objects.filter(name=name).exists():
                continue
            site = actions.do_create_site(
                acting_user=acting_user,
                name=name,
                area=county,
                lon=lon + rng.uniform(-0.04, 0.04),
                lat=lat + rng.uniform(-0.03, 0.03),
                kind="cabin" if reserve else "hotel",
                state="reserve" if reserve else "active",
                staff_on_duty=12,
            )
            singles = CABINS if reserve else SINGLES
            actions.do_add_rooms(
                site, [f"{100 + i}" for i in range(singles)], capacity=1, acting_user=acting_user
            )
            if not reserve:
                actions.do_add_rooms(
                    site,
                    [f"{300 + i}" for i in range(FAMILIES)],
                    capacity=3,
                    acting_user=acting_user,
                )
            made += 1
    for county, twin in zip(counties, counties[1:] + counties[:1], strict=True):
        if county != twin and not Twinning.objects.filter(county=county).exists():
            actions.do_set_twin(county, twin, acting_user=acting_user)
    return made


def replay_quarantine(*, acting_user, seed: int = 20210917) -> dict:
    """Sites, then the people waiting placed and confirmed on the story's clock."""
    made = _sites(acting_user, random.Random(seed))
    proposals, figures = actions.do_plan_placements(acting_user=acting_user)
    for placement in proposals:
        actions.do_confirm_placements(
            [placement],
            acting_user=acting_user,
            now=placement.identified_at + dt.timedelta(hours=3),
        )
    return {
        "sites_made": made,
        "placed": len(proposals),
        "waiting_households": figures["waiting_households"],
        "in_quarantine": Placement.objects.filter(state=PlacementState.PLACED).count(),
        "transfer_handoffs_open": Handoff.objects.filter(kind="transfer", status="open").count(),
    }
