"""Proposed zones from where cases live and went (划定风险区域的建议).

A pure function of the cases' locations, the counties of the city and the
protocol's ``[zones]`` rules: each tier with an ``extent`` gets one proposed
zone covering, for every case, what that extent names (docs/zones.md). Area
paths are the tree's materialised paths (``/3506/350681/…/``): the ancestor
at a depth is a prefix of the path, so nothing here needs the database.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .rules import TIERS, ZoneRules

#: Depth in the tree of each area level that an extent names (city 0).
DEPTH = {"county": 1, "township": 2, "village": 3}


@dataclass(frozen=True)
class CaseLocation:
    """One place a case belongs to: its home (``residence``) or a stop of its
    trajectory (活动轨迹, ``trajectory``). ``area_path`` is the village (or
    grid) of the home or stop; ``place_id`` the place, when known, and
    ``compound`` whether that place is a residential compound (小区)."""

    case_id: int
    kind: str  # "residence" or "trajectory"
    area_path: str
    reported_at: dt.datetime
    place_id: int | None = None
    compound: bool = False


@dataclass(frozen=True)
class ProposedZone:
    tier: str
    area_paths: tuple[str, ...]
    place_ids: tuple[int, ...]
    case_ids: tuple[int, ...]


def ancestor(path: str, depth: int) -> str:
    """The ancestor of ``path`` at ``depth`` (the path itself when shallower)."""
    parts = [p for p in path.split("/") if p]
    return "/" + "/".join(parts[: depth + 1]) + "/"


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance between two (lon, lat) points on the sphere, in km."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


def _neighbours(
    case_counties: set[str],
    counties: Mapping[str, tuple[float, float] | None],
    radius_km: float,
) -> set[str]:
    """The other counties of the city whose centre lies within ``radius_km``
    of a case's county centre (every other county when the radius is 0 or a
    centre is unknown)."""
    centres = [counties.get(c) for c in case_counties]
    known = [c for c in centres if c is not None]
    everywhere = radius_km <= 0 or len(known) < len(centres)
    out = set()
    for county, centre in counties.items():
        if county in case_counties:
            continue
        if everywhere or centre is None or any(_km(centre, c) <= radius_km for c in known):
            out.add(county)
    return out


def _extent(
    extent: str,
    locations: list[CaseLocation],
    counties: Mapping[str, tuple[float, float] | None],
    radius_km: float,
) -> tuple[set[str], set[int]]:
    areas: set[str] = set()
    places: set[int] = set()
    for loc in locations:
        if extent == "residence" and loc.kind == "residence":
            if loc.place_id is not None and loc.compound:
                places.add(loc.place_id)
            else:
                areas.add(ancestor(loc.area_path, DEPTH["village"]))
        elif extent == "places":
            if loc.place_id is not None:
                places.add(loc.place_id)
            else:
                areas.add(ancestor(loc.area_path, DEPTH["village"]))
        elif extent in DEPTH:
            areas.add(ancestor(loc.area_path, DEPTH[extent]))
    if extent == "neighbours":
        case_counties = {ancestor(loc.area_path, DEPTH["county"]) for loc in locations}
        areas = _neighbours(case_counties, counties, radius_km)
    return areas, places


def propose_zones(
    locations: Iterable[CaseLocation],
    rules: ZoneRules,
    counties: Mapping[str, tuple[float, float] | None],
) -> list[ProposedZone]:
    """One proposed zone per tier whose rule names an extent, strongest tier
    first as ``TIERS`` lists them; a tier whose extent comes out empty (a
    ``residence`` extent when no case has a known home) is left out.

    ``counties`` maps each county path of the city to its centre (lon, lat),
    or None when unknown, for the ``neighbours`` extent.
    """
    locations = sorted(locations, key=lambda loc: (loc.case_id, loc.kind, loc.area_path))
    if not locations:
        return []
    out = []
    for tier in TIERS:
        rule = rules.tier(tier)
        if not rule.extent:
            continue
        areas, places = _extent(rule.extent, locations, counties, rule.radius_km)
        if not areas and not places:
            continue
        cases = sorted({loc.case_id for loc in locations})
        out.append(ProposedZone(tier, tuple(sorted(areas)), tuple(sorted(places)), tuple(cases)))
    return out
