"""The zones app's answer to ``zhanyi.places.risk``: the strongest approved
zone in force over each area path (a zone over an ancestor covers its
descendants), and over each place drawn into a zone (``place_tiers``: a
sealed compound covers no area path)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from zhanyi.places.risk import STRENGTH, AreaRisk, answers, answers_places
from zhanyi.zones.fastpath import tiers as fastpath_tiers
from zhanyi.zones.models import Zone, ZoneState


def in_force_at(at: dt.datetime) -> Q:
    """Zones approved and in force at ``at`` (a lifted zone was in force
    until its lifting)."""
    return Q(state__in=[ZoneState.IN_FORCE, ZoneState.LIFTED], starts_at__lte=at) & (
        Q(lifted_at=None) | Q(lifted_at__gt=at)
    )


def _ancestors(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


@answers
def tiers(paths: list[str], at: dt.datetime) -> dict[str, AreaRisk]:
    wanted = {p: set(_ancestors(p)) for p in paths}
    every = set().union(*wanted.values()) if wanted else set()
    # One prepared statement (``zones.fastpath.tiers``): every check at a
    # checkpoint asks, and compiling the ORM's query cost more than running it.
    rows = fastpath_tiers.zones_over(sorted(every), at)
    by_path: dict[str, list[AreaRisk]] = {}
    for path, zone_id, tier, name, starts_at in rows:
        by_path.setdefault(path, []).append(AreaRisk(tier, zone_id, name, starts_at))
    out: dict[str, AreaRisk] = {}
    for path, ancestors in wanted.items():
        found = [r for a in ancestors for r in by_path.get(a, [])]
        if found:
            # Strongest first; among equals the earliest in force, then the lowest id.
            out[path] = min(found, key=lambda r: (-STRENGTH[r.tier], r.since, r.zone_id))
    return out


@answers_places
def place_tiers(place_ids: list[int], at: dt.datetime) -> dict[int, AreaRisk]:
    """The strongest zone in force drawn over each place (a sealed compound)."""
    rows = (
        Zone.places.through.objects.filter(zone__in=Zone.objects.filter(in_force_at(at)))
        .filter(place_id__in=place_ids)
        .values_list("place_id", "zone_id", "zone__tier", "zone__name", "zone__starts_at")
    )
    out: dict[int, AreaRisk] = {}
    for place_id, zone_id, tier, name, starts_at in rows:
        found = AreaRisk(tier, zone_id, name, starts_at)
        held = out.get(place_id)
        if held is None or (-STRENGTH[found.tier], found.since, found.zone_id) < (
            -STRENGTH[held.tier],
            held.since,
            held.zone_id,
        ):
            out[place_id] = found
    return out
