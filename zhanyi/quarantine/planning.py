"""The bridge between the quarantine tables and ``zhanyi.engine.allocation``:
the queue's people as households with their pick-up points, the active
sites' vacant rooms, the twinning, and the protocol's child age."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Exists, OuterRef

from zhanyi.engine.allocation import Household, Member, PlanRules, SiteRooms
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.handoffs.models import Handoff
from zhanyi.places.models import Area
from zhanyi.quarantine.models import ACTIVE_STATES, Placement, Room, RoomState, SiteState, Twinning

from .rules import age_on, protocol


def county_code(path: str) -> str:
    """The county's code in an area path (``/city/county/…/``)."""
    parts = [p for p in path.strip("/").split("/") if p]
    return parts[1] if len(parts) > 1 else parts[0]


class CountyIds:
    """County ids by code (the area tree's second level)."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}

    def __call__(self, path: str) -> int:
        code = county_code(path)
        if code not in self._ids:
            self._ids[code] = Area.objects.values_list("pk", flat=True).get(code=code)
        return self._ids[code]


def households_of(
    handoffs: list[Handoff], now: dt.datetime, counties: CountyIds
) -> list[Household]:
    """The people of ``handoffs`` (with person, household, place and area loaded)
    as households to place together; a person without a household alone."""
    today = now.astimezone(LOCAL_TZ).date()
    members: dict[str, list[Member]] = defaultdict(list)
    where: dict[str, tuple[int, float, float]] = {}
    for h in handoffs:
        person = h.person
        key = f"h{person.household_id}" if person.household_id else f"p{person.pk}"
        members[key].append(Member(person.pk, age_on(person.birth_date, today)))
        if key not in where:
            where[key] = (counties(h.area.path), *pick_up_point(h))
    return [
        Household(key, tuple(m), where[key][0], where[key][1], where[key][2])
        for key, m in members.items()
    ]


def pick_up_point(handoff: Handoff) -> tuple[float, float]:
    """Where the person is picked up: their compound, else their village, else the area."""
    person = handoff.person
    place = person.household.place if person.household_id and person.household else None
    for candidate in (place, person.village, handoff.area):
        if candidate is not None and candidate.lon is not None and candidate.lat is not None:
            return float(candidate.lon), float(candidate.lat)
    return float("nan"), float("nan")  # unknown: the planner leaves the distance out


def vacant_rooms(counties: CountyIds) -> list[SiteRooms]:
    """Every active site with its vacant rooms that no placement holds."""
    held = Placement.objects.filter(room=OuterRef("pk"), state__in=ACTIVE_STATES)
    rooms = (
        Room.objects.filter(site__state=SiteState.ACTIVE, state=RoomState.VACANT)
        .exclude(Exists(held))
        .values_list("site_id", "pk", "capacity", "site__lon", "site__lat", "site__area__path")
    )
    by_site: dict[int, list[tuple[int, int]]] = defaultdict(list)
    info: dict[int, tuple[int, float, float]] = {}
    for site_id, room_id, capacity, lon, lat, path in rooms:
        by_site[site_id].append((room_id, capacity))
        info[site_id] = (counties(path), lon, lat)
    return [
        SiteRooms(site_id, info[site_id][0], info[site_id][1], info[site_id][2], tuple(r))
        for site_id, r in sorted(by_site.items())
    ]


def plan_rules(**overrides) -> PlanRules:
    """The protocol's child age and the counties' twinning."""
    twins = dict(Twinning.objects.values_list("county_id", "twin_id"))
    return PlanRules(child_age=protocol().quarantine_sites.child_age, twins=twins, **overrides)
