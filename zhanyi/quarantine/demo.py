"""The quarantine task force's step of the demo's replay of September 2021.

Sites in every county (hotels, and cabins in reserve), each county twinned
with its neighbour, then everyone the replay's tracing and screening handed to
transfer is planned and placed, each confirmed three hours after they were
identified (the article: everyone within 8 hours), and carried there by the
county's vehicles on trips planned per site. Idempotent: sites and vehicles
are made once, and only those still waiting are placed and carried."""

from __future__ import annotations

import datetime as dt
import random

from zhanyi.handoffs.models import Handoff
from zhanyi.places.models import Area, AreaLevel, Place
from zhanyi.quarantine import actions
from zhanyi.quarantine.models import Placement, PlacementState, Site, Twinning, Vehicle

#: Per county: active hotels (singles, family rooms of 3) and one reserve cabin site.
HOTELS_PER_COUNTY = 2
SINGLES, FAMILIES, CABINS = 40, 6, 60


def _sites(acting_user, rng: random.Random) -> int:
    made = 0
    counties = list(Area.objects.filter(level=AreaLevel.COUNTY).order_by("code"))
    for county in counties:
        spots = _spots(county, HOTELS_PER_COUNTY + 1, rng)
        for n in range(HOTELS_PER_COUNTY + 1):
            lon, lat = spots[n]
            reserve = n == HOTELS_PER_COUNTY
            name = f"{county.name}{'方舱' if reserve else '隔离酒店'}{n + 1}"
            if Site.objects.filter(name=name).exists():
                continue
            site = actions.do_create_site(
                acting_user=acting_user,
                name=name,
                area=county,
                lon=lon,
                lat=lat,
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


def _spots(county: Area, n: int, rng: random.Random) -> list[tuple[float, float]]:
    """``n`` points inside ``county`` for its sites: beside places of its own
    villages (a county's outline is seldom round, so a point near its centre
    may fall outside it), else its centre."""
    located = list(
        Place.objects.filter(area__path__startswith=county.path, lon__isnull=False)
        .order_by("pk")
        .values_list("lon", "lat")[:200]
    )
    if not located:
        return [(county.lon or 117.65, county.lat or 24.51)] * n
    chosen = rng.sample(located, min(n, len(located)))
    chosen += [chosen[-1]] * (n - len(chosen))
    return [
        (lon + rng.uniform(-0.001, 0.001), lat + rng.uniform(-0.001, 0.001)) for lon, lat in chosen
    ]


VEHICLES_PER_COUNTY, SEATS = 3, 6


def _transfer(acting_user) -> int:
    """Vehicles in every county, the trips of everyone placed, each carried on
    the story's clock: picked up and delivered within the hours of the deadline."""
    for county in Area.objects.filter(level=AreaLevel.COUNTY).order_by("code"):
        for n in range(VEHICLES_PER_COUNTY):
            plate = f"闽E·{county.code[-3:]}{n + 1:02d}"
            if not Vehicle.objects.filter(plate=plate).exists():
                actions.do_add_vehicle(
                    plate=plate,
                    seats=SEATS,
                    area=county,
                    lon=county.lon or 117.65,
                    lat=county.lat or 24.51,
                    acting_user=acting_user,
                )
    if not Placement.objects.filter(state=PlacementState.PLACED, trip_stop__isnull=True).exists():
        return 0
    trips = actions.do_plan_trips(acting_user=acting_user)
    for trip in trips:
        stops = list(trip.stops.select_related("placement"))
        start = min(s.placement.identified_at for s in stops) + dt.timedelta(hours=2)
        for i, stop in enumerate(stops):
            actions.do_pick_up(
                stop, acting_user=acting_user, now=start + dt.timedelta(minutes=10 * i)
            )
        actions.do_deliver(
            trip,
            acting_user=acting_user,
            now=start + dt.timedelta(hours=max(1.0, trip.planned_hours)),
        )
    return len(trips)


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
    trips = _transfer(acting_user)
    return {
        "sites_made": made,
        "trips": trips,
        "placed": len(proposals),
        "waiting_households": figures["waiting_households"],
        "in_quarantine": Placement.objects.filter(state=PlacementState.PLACED).count(),
        "transfer_handoffs_open": Handoff.objects.filter(kind="transfer", status="open").count(),
    }
