"""Transfer trips (点对点转运): pick people up at home and deliver them to their site.

Split by site (each trip serves one site, closed-loop point to point): for
each site, OR-Tools routing finds the vehicles' pick-up rounds from the site
and back, no round carrying more people than a vehicle's seats. The rounds
are then given to the fleet, longest first, each to the vehicle free
soonest; a person's delivery time is when their round reaches the site.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .model import distance_km


@dataclass(frozen=True)
class Stop:
    """A household to pick up: its key, people and where."""

    key: str
    people: int
    lon: float
    lat: float


@dataclass(frozen=True)
class TripRules:
    seats: int = 6
    vehicles: int = 209
    speed_kmh: float = 30.0
    stop_minutes: float = 5.0
    limit_hours: float = 8.0
    seconds_per_site: float = 0.2


@dataclass
class Trip:
    site_id: int
    vehicle: int
    stops: list[str]
    people: int
    end_h: float  # hours from the start of the wave when the round reaches the site


def _rounds(site: tuple[float, float], stops: list[Stop], rules: TripRules) -> list[list[int]]:
    """Pick-up rounds from the site and back (CVRP), as lists of stop indexes."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2  # heavy

    if not stops:
        return []
    points = [site] + [(s.lon, s.lat) for s in stops]
    n = len(points)
    metres = [[int(distance_km(*points[i], *points[j]) * 1000) for j in range(n)] for i in range(n)]
    fleet = max(1, math.ceil(sum(s.people for s in stops) / rules.seats) + 1)
    manager = pywrapcp.RoutingIndexManager(n, fleet, 0)
    routing = pywrapcp.RoutingModel(manager)

    def cost(i: int, j: int) -> int:
        return metres[manager.IndexToNode(i)][manager.IndexToNode(j)]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(cost))
    demand = [0] + [s.people for s in stops]
    load = routing.RegisterUnaryTransitCallback(lambda i: demand[manager.IndexToNode(i)])
    routing.AddDimensionWithVehicleCapacity(load, 0, [rules.seats] * fleet, True, "seats")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.time_limit.FromMilliseconds(max(10, int(rules.seconds_per_site * 1000)))
    solution = routing.SolveWithParameters(params)
    if solution is None:  # one household a round
        return [[i] for i in range(len(stops))]
    rounds = []
    for v in range(fleet):
        index = routing.Start(v)
        path = []
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            if node:
                path.append(node - 1)
            index = solution.Value(routing.NextVar(index))
        if path:
            rounds.append(path)
    return rounds


def plan_trips(
    sites: dict[int, tuple[float, float]], stops_by_site: dict[int, list[Stop]], rules: TripRules
) -> list[Trip]:
    """The trips carrying every stop to its site; hours from the start of the wave.
    A household larger than a vehicle's seats takes a vehicle of its own for as
    many rounds as it needs (never split across vehicles at once)."""
    rounds: list[tuple[float, int, list[Stop]]] = []
    for site_id, stops in stops_by_site.items():
        home = sites[site_id]
        fits = [s for s in stops if s.people <= rules.seats]
        big = [s for s in stops if s.people > rules.seats]
        for path in _rounds(home, fits, rules) + [[fits.__len__() + i] for i in range(len(big))]:
            chosen = [(fits + big)[i] for i in path]
            points = [home] + [(s.lon, s.lat) for s in chosen] + [home]
            km = sum(distance_km(*points[i], *points[i + 1]) for i in range(len(points) - 1))
            hours = km / rules.speed_kmh + len(chosen) * rules.stop_minutes / 60
            rounds.append((hours, site_id, chosen))
    rounds.sort(key=lambda r: -r[0])
    free = [0.0] * max(1, rules.vehicles)
    trips = []
    for hours, site_id, chosen in rounds:
        vehicle = min(range(len(free)), key=free.__getitem__)
        start = free[vehicle]
        free[vehicle] = start + hours
        trips.append(
            Trip(
                site_id,
                vehicle,
                [s.key for s in chosen],
                sum(s.people for s in chosen),
                start + hours,
            )
        )
    return trips
