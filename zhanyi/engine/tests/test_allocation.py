"""The placement planner (zhanyi.engine.allocation) on hand-made problems."""

from __future__ import annotations

import random

import pytest

from zhanyi.engine.allocation import (
    Household,
    Member,
    PlanRules,
    SiteRooms,
    greedy_plan,
    plan_placements,
    room_needs,
)
from zhanyi.engine.allocation.trips import Stop, TripRules, plan_trips
from zhanyi.engine.protocol import load_protocol


def test_adults_one_to_a_room_and_a_child_with_one_parent():
    family = Household("h", (Member(1, 40), Member(2, 38), Member(3, 6), Member(4, 70)), 1, 0, 0)
    needs = [n.person_ids for n in room_needs(family, child_age=14)]
    assert needs == [(1, 3), (2,), (4,)]


def test_children_beyond_one_room_go_with_the_next_parent():
    family = Household(
        "h", (Member(1, 40), Member(2, 38), *[Member(i, 3) for i in range(3, 8)]), 1, 0, 0
    )
    sizes = [n.size for n in room_needs(family, child_age=14, largest_room=4)]
    assert sizes == [4, 3]


def test_an_unknown_age_counts_as_an_adult():
    family = Household("h", (Member(1, None), Member(2, None)), 1, 0, 0)
    assert [n.size for n in room_needs(family, child_age=14)] == [1, 1]


def _site(site_id, county, lon, singles, families=0, first=0):
    rooms = tuple((first + i, 1) for i in range(singles)) + tuple(
        (first + 100 + i, 3) for i in range(families)
    )
    return SiteRooms(site_id, county, lon, 24.5, rooms)


def test_own_county_then_its_twin_then_anywhere_before_distance():
    people = [Household(f"p{i}", (Member(i, 30),), 1, 117.60, 24.5) for i in range(3)]
    sites = [
        _site(1, 1, 117.90, 1, first=0),  # own county, far
        _site(2, 2, 117.61, 1, first=10),  # twin, near
        _site(3, 3, 117.60, 5, first=20),  # elsewhere, nearest
    ]
    plan = plan_placements(people, sites, PlanRules(twins={1: 2}))
    used = sorted(site for site, _ in plan.rooms.values())
    assert used == [1, 2, 3]
    assert plan.gap_pct == 0.0


def test_a_household_stays_in_one_site_and_the_most_people_are_placed():
    family = Household("f", (Member(1, 40), Member(2, 40), Member(3, 40)), 1, 117.6, 24.5)
    alone = [Household(f"a{i}", (Member(10 + i, 30),), 1, 117.6, 24.5) for i in range(2)]
    sites = [_site(1, 1, 117.6, 2, first=0), _site(2, 1, 117.7, 3, first=10)]
    plan = plan_placements([family, *alone], sites, PlanRules())
    assert plan.placed == 5 and plan.waiting == []
    assert {plan.rooms[p][0] for p in (1, 2, 3)} == {2}


def test_when_rooms_are_short_the_larger_household_is_placed():
    family = Household("f", (Member(1, 40), Member(2, 40)), 1, 117.6, 24.5)
    alone = Household("a", (Member(3, 30),), 1, 117.6, 24.5)
    plan = plan_placements([family, alone], [_site(1, 1, 117.6, 2)], PlanRules())
    assert plan.placed == 2 and plan.waiting == ["a"]


@pytest.mark.parametrize("seed", [1, 2])
def test_the_plan_is_never_worse_than_greedy_and_its_bound_holds(seed):
    rng = random.Random(seed)
    households = [
        Household(
            f"h{i}",
            tuple(Member(i * 10 + j, rng.choice([30, 5, None])) for j in range(rng.randint(1, 4))),
            rng.randrange(3),
            117.5 + rng.random() * 0.4,
            24.4 + rng.random() * 0.2,
        )
        for i in range(60)
    ]
    sites = [_site(s, s % 3, 117.5 + s * 0.05, 20, 4, first=s * 1000) for s in range(8)]
    rules = PlanRules(twins={0: 1})
    plan, greedy = plan_placements(households, sites, rules), greedy_plan(households, sites, rules)
    assert plan.objective <= greedy.objective
    assert plan.bound <= plan.objective
    assert greedy.bound <= plan.objective  # the flow relaxation bounds every plan
    rooms_used: dict[int, list[int]] = {}
    for pid, (_site_id, room) in plan.rooms.items():
        rooms_used.setdefault(room, []).append(pid)
    for room, pids in rooms_used.items():
        capacity = 3 if room % 1000 >= 100 else 1
        assert len(pids) <= capacity


def test_trips_carry_no_more_than_the_seats():
    stops = [Stop(f"h{i}", 1 + i % 3, 117.6 + i * 0.01, 24.5) for i in range(12)]
    trips = plan_trips({1: (117.65, 24.52)}, {1: stops}, TripRules(seats=4, vehicles=3))
    assert sum(t.people for t in trips) == sum(s.people for s in stops)
    assert all(t.people <= 4 for t in trips)
    assert sorted(k for t in trips for k in t.stops) == sorted(s.key for s in stops)


def test_the_protocol_files_carry_the_site_rules():
    rule = load_protocol("edition-8").quarantine_sites
    assert (rule.rooms_per_case, rule.rooms_per_10000, rule.checks_per_day) == (100, 20, 2)
