"""Reads of the quarantine app: the capacity against the protocol's targets."""

from __future__ import annotations

from dataclasses import dataclass

from zhanyi.core import metrics
from zhanyi.places.models import Area
from zhanyi.quarantine.models import (
    Room,
    RoomState,
    SiteState,
)
from zhanyi.quarantine.rules import protocol


@dataclass
class Capacity:
    """Rooms against the protocol's targets for an area (a county or the city)."""

    area: Area
    rooms: int  # in active sites
    reserve_rooms: int
    cases: int
    population: int
    per_case_target: int
    per_population_target: int

    @property
    def target(self) -> int:
        return max(self.per_case_target, self.per_population_target)

    @property
    def shortfall(self) -> int:
        return max(0, self.target - self.rooms)


def capacity(area: Area) -> Capacity:
    """Rooms kept: the protocol's rooms per case and per 10,000 residents."""
    rule = protocol().quarantine_sites
    rooms = Room.objects.filter(site__area__path__startswith=area.path).exclude(
        state=RoomState.OUT_OF_SERVICE
    )
    cases = 0
    if _has("tracing.cases"):  # the figure tracing owns (数出一门), when tracing is installed
        cases = int(metrics.compute(["tracing.cases"], area)[0]["value"] or 0)
    population = area.population
    return Capacity(
        area=area,
        rooms=rooms.filter(site__state=SiteState.ACTIVE).count(),
        reserve_rooms=rooms.filter(site__state=SiteState.RESERVE).count(),
        cases=cases,
        population=population,
        per_case_target=rule.rooms_per_case * cases,
        per_population_target=-(-rule.rooms_per_10000 * population // 10000),
    )


def _has(name: str) -> bool:
    return any(f.name == name for f in metrics.registered())
