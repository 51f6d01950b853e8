"""The placement problem's records, and a household's room needs."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

#: Preference tiers of a site for a household: its own county, the county
#: twinned with it (结对), anywhere else.
OWN, TWIN, ANYWHERE = 0, 1, 2


@dataclass(frozen=True)
class Member:
    """One person of a household waiting for a room; ``age`` None when unknown
    (counted as an adult: nobody unknown is put in a room with a stranger's child)."""

    person_id: int
    age: int | None = None


@dataclass(frozen=True)
class Household:
    """People who must be placed in one site together (a household, or one
    person alone), with where they are picked up (NaN when unknown: the
    distance is left out) and the county responsible."""

    key: str
    members: tuple[Member, ...]
    county: int
    lon: float
    lat: float


@dataclass(frozen=True)
class SiteRooms:
    """A quarantine site (集中隔离点) with its vacant rooms as ``(room_id, capacity)``."""

    site_id: int
    county: int
    lon: float
    lat: float
    rooms: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class PlanRules:
    """The numbers the plan follows: from the protocol file, and the twinning."""

    #: A child younger than this stays with one parent in a family room.
    child_age: int = 14
    #: county → its twinned county.
    twins: dict[int, int] = field(default_factory=dict)
    #: Seconds CP-SAT may search before the best plan found is taken.
    time_limit_s: float = 4.0
    #: Sites each group of households may go to when there are many sites
    #: (the cheapest by tier and distance); 0: every site.
    candidate_sites: int = 64
    #: Worker threads of CP-SAT.
    workers: int = 2


@dataclass(frozen=True)
class RoomNeed:
    """The people who share one room: one adult, or a parent with young children."""

    person_ids: tuple[int, ...]

    @property
    def size(self) -> int:
        return len(self.person_ids)


def room_needs(household: Household, child_age: int, largest_room: int = 4) -> list[RoomNeed]:
    """Adults one to a room; the household's children under ``child_age`` with
    one parent in a family room of at most ``largest_room`` people (the
    children spread over the adults when one room cannot hold them all).
    Children with no adult in the household get rooms of their own, together."""
    adults = [m.person_id for m in household.members if m.age is None or m.age >= child_age]
    children = [m.person_id for m in household.members if m.age is not None and m.age < child_age]
    needs: list[RoomNeed] = []
    per_room = max(1, largest_room - 1)
    for adult in adults:
        taken, children = children[:per_room], children[per_room:]
        needs.append(RoomNeed((adult, *taken)))
    while children:
        taken, children = children[:largest_room], children[largest_room:]
        needs.append(RoomNeed(tuple(taken)))
    return sorted(needs, key=lambda n: -n.size)


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine), km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class Plan:
    """A plan: each placed person's site and room, who is left waiting, and how
    good it is (``travel_km``: person-kilometres; ``gap_pct``: proven distance
    from the optimum of the problem's objective, 0 when proven optimal)."""

    rooms: dict[int, tuple[int, int]]  # person_id → (site_id, room_id)
    waiting: list[str]  # households not placed, by key
    travel_km: float
    method: str
    objective: int = 0
    bound: int = 0
    solve_s: float = 0.0

    @property
    def gap_pct(self) -> float:
        if self.objective <= 0:
            return 0.0
        return round(max(0.0, 100.0 * (self.objective - self.bound) / self.objective), 3)

    @property
    def placed(self) -> int:
        return len(self.rooms)
