"""Quarantine placement and transfer (隔离转运): the planner and the trips, on the article's wave.

``zhanyi bench quarantine`` places the article's wave (2,264 people in
households, from five counties, into 51 sites with 4,051 rooms) with the
planner of ``zhanyi.engine.allocation`` and with its greedy fallback, then
plans the transfer trips (209 vehicles of 6 seats). ``--people 20000``: a
larger wave into the 51 sites and as many reserve sites as it needs (80 rooms
each). The data is made from a fixed seed. Figures: ``plan_s`` (the plan,
wall clock), ``travel_km`` (person-kilometres from home to site) and
``greedy_travel_km``, ``gap_pct`` (proven distance of the plan's objective
from the optimum's lower bound: 0 is proven optimal), ``trips_s`` and
``latest_delivery_h`` (hours from the start of the wave to the last person
delivered, against the 8-hour limit).
"""

from __future__ import annotations

import argparse
import math
import random
import time
from typing import TextIO

from zhanyi.engine.allocation import (
    Household,
    Member,
    PlanRules,
    SiteRooms,
    greedy_plan,
    plan_placements,
)
from zhanyi.engine.allocation.trips import Stop, TripRules, plan_trips

#: The five counties round Zhangzhou (centre lon, lat) and the twinning.
COUNTIES = [(117.65, 24.51), (117.82, 24.45), (117.60, 24.38), (117.36, 24.51), (117.94, 24.25)]
TWINS = {0: 1, 1: 0, 2: 3, 3: 2, 4: 1}
ARTICLE_PEOPLE, ARTICLE_SITES, ARTICLE_ROOMS = 2264, 51, 4051


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--people", type=int, default=ARTICLE_PEOPLE)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--time-limit", type=float, default=2.5, help="seconds for the solver")
    parser.add_argument("--vehicles", type=int, default=209)
    parser.add_argument("--seats", type=int, default=6)


def wave(people: int, rng: random.Random) -> list[Household]:
    """Households of 1–5 (a quarter with a child under 14) round 120 villages."""
    villages = [
        (c, COUNTIES[c][0] + rng.gauss(0, 0.05), COUNTIES[c][1] + rng.gauss(0, 0.04))
        for c in (rng.randrange(len(COUNTIES)) for _ in range(120))
    ]
    out, pid = [], 0
    while pid < people:
        size = min(people - pid, rng.choice([1, 1, 2, 2, 3, 3, 4, 5]))
        members = []
        for i in range(size):
            pid += 1
            child = i >= 2 and rng.random() < 0.5
            members.append(Member(pid, rng.randrange(1, 13) if child else rng.randrange(18, 80)))
        county, lon, lat = rng.choice(villages)
        out.append(Household(f"h{len(out)}", tuple(members), county, lon, lat))
    return out


def sites(count: int, rooms: int, rng: random.Random, first_room: int = 0) -> list[SiteRooms]:
    """``count`` sites over the counties with ``rooms`` rooms, one in eight a family room of 3."""
    out, room_id = [], first_room
    for s in range(count):
        c = s % len(COUNTIES)
        n = rooms // count + (1 if s < rooms % count else 0)
        rs = []
        for r in range(n):
            room_id += 1
            rs.append((room_id, 3 if r % 8 == 0 else 1))
        lon = COUNTIES[c][0] + rng.gauss(0, 0.06)
        lat = COUNTIES[c][1] + rng.gauss(0, 0.05)
        out.append(SiteRooms(s + 1, c, lon, lat, tuple(rs)))
    return out


def run(options: dict, out: TextIO) -> dict:
    rng = random.Random(options["seed"])
    people = options["people"]
    households = wave(people, rng)
    site_list = sites(ARTICLE_SITES, ARTICLE_ROOMS, rng)
    if people > ARTICLE_PEOPLE:
        extra = math.ceil((people * 1.15 - ARTICLE_ROOMS) / 80)
        reserve = sites(extra, extra * 80, rng, first_room=ARTICLE_ROOMS)
        site_list += [
            SiteRooms(ARTICLE_SITES + s.site_id, s.county, s.lon, s.lat, s.rooms) for s in reserve
        ]
    rooms = sum(len(s.rooms) for s in site_list)
    out.write(
        f"{people} people in {len(households)} households; {len(site_list)} sites, {rooms} rooms\n"
    )
    rules = PlanRules(child_age=14, twins=TWINS, time_limit_s=options["time_limit"])
    started = time.perf_counter()
    plan = plan_placements(households, site_list, rules)
    plan_s = time.perf_counter() - started
    greedy = greedy_plan(households, site_list, rules)
    out.write(
        f"plan: {plan.method}, {plan.placed} placed, {len(plan.waiting)} households "
        f"waiting, {plan_s:.2f} s, gap {plan.gap_pct} %\n"
    )
    started = time.perf_counter()
    where = {s.site_id: (s.lon, s.lat) for s in site_list}
    stops: dict[int, list[Stop]] = {}
    for h in households:
        first = plan.rooms.get(h.members[0].person_id)
        if first is not None:
            stops.setdefault(first[0], []).append(Stop(h.key, len(h.members), h.lon, h.lat))
    trip_rules = TripRules(seats=options["seats"], vehicles=options["vehicles"])
    trips = plan_trips(where, stops, trip_rules)
    trips_s = time.perf_counter() - started
    latest = max((t.end_h for t in trips), default=0.0)
    out.write(f"trips: {len(trips)}, {trips_s:.2f} s, last delivery after {latest:.2f} h\n")
    return {
        "bench": "quarantine",
        "people": people,
        "rooms": rooms,
        "plan_s": round(plan_s, 3),
        "travel_km": round(plan.travel_km, 1),
        "greedy_travel_km": round(greedy.travel_km, 1),
        "gap_pct": plan.gap_pct,
        "trips_s": round(trips_s, 3),
        "placed": plan.placed,
        "method": plan.method,
        "trips": len(trips),
        "latest_delivery_h": round(latest, 2),
        "delivered_within_8h": latest <= trip_rules.limit_hours,
        "solver_s": round(plan.solve_s, 3),
    }
