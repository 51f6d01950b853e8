"""Solving the placement problem: CP-SAT, a min-cost-flow bound, and the greedy fallback.

Households with the same pick-up point, county and room needs cost the same
at every site, so the solver works on groups of them: ``n[g, s]`` households
of group ``g`` go to site ``s``. A household is whole in its site by
construction. Rooms are nested by capacity (a need of ``k`` people fits any
room of at least ``k``), so a site can take a set of needs exactly when, for
every ``t``, the needs of ``t`` or more people are no more than its rooms of
``t`` or more places; the rooms themselves are then handed out largest need
first, each to the smallest room that fits.

The objective, in hundredths of a kilometre per person: the distance, plus a
tier step for a site in the twinned county and two for anywhere else (so own
county, then twin, then anywhere comes before distance), plus for each person
left waiting more than any placement can cost (so the most people are
placed). The bound is CP-SAT's own when every site was a candidate, and
always that of the min-cost-flow relaxation (every room need routed on its
own, households free to split), which no plan can beat.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from .model import ANYWHERE, OWN, TWIN, Household, Plan, PlanRules, RoomNeed, SiteRooms, room_needs

#: Objective units per kilometre, per tier step, and for a person left waiting.
UNITS_PER_KM = 100
TIER_UNITS = 1_000_000  # 10,000 km: more than any distance in a province
WAITING_UNITS = 3 * TIER_UNITS  # more than the dearest placement (tier 2 and 10,000 km)
LARGEST_ROOM = 4


@dataclass
class _Group:
    county: int
    lon: float
    lat: float
    shape: tuple[int, ...]  # need sizes, largest first
    households: list[tuple[Household, list[RoomNeed]]]

    @property
    def people(self) -> int:
        return sum(self.shape)


class _Problem:
    """Groups, sites, the cost of each group's person at each site, the rooms."""

    def __init__(self, households: list[Household], sites: list[SiteRooms], rules: PlanRules):
        self.rules = rules
        self.sites = sites
        largest = max((c for s in sites for _, c in s.rooms), default=1)
        self.largest = max(1, min(largest, LARGEST_ROOM))
        groups: dict[tuple, _Group] = {}
        for h in households:
            needs = room_needs(h, rules.child_age, self.largest)
            shape = tuple(n.size for n in needs)
            key = (h.county, h.lon, h.lat, shape)
            if key not in groups:
                groups[key] = _Group(h.county, h.lon, h.lat, shape, [])
            groups[key].households.append((h, needs))
        self.groups = list(groups.values())
        self.cost = self._cost_matrix()  # per person, units
        # rooms of at least t places, t = 1..largest
        self.cap_ge = np.array(
            [
                [sum(1 for _, c in s.rooms if c >= t) for t in range(1, self.largest + 1)]
                for s in sites
            ],
            dtype=np.int64,
        ).reshape(len(sites), self.largest)

    def _cost_matrix(self) -> np.ndarray:
        if not self.groups or not self.sites:
            return np.zeros((len(self.groups), len(self.sites)), dtype=np.int64)
        glon = np.radians([g.lon for g in self.groups])[:, None]
        glat = np.radians([g.lat for g in self.groups])[:, None]
        slon = np.radians([s.lon for s in self.sites])[None, :]
        slat = np.radians([s.lat for s in self.sites])[None, :]
        a = (
            np.sin((slat - glat) / 2) ** 2
            + np.cos(glat) * np.cos(slat) * np.sin((slon - glon) / 2) ** 2
        )
        km = 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
        # No pick-up point known: the distance is left out; capped below a tier step.
        km = np.minimum(np.nan_to_num(km, nan=0.0), TIER_UNITS / UNITS_PER_KM - 1)
        gc = np.array([g.county for g in self.groups])[:, None]
        twin = np.array([self.rules.twins.get(g.county, -1) for g in self.groups])[:, None]
        sc = np.array([s.county for s in self.sites])[None, :]
        tier = np.where(sc == gc, OWN, np.where(sc == twin, TWIN, ANYWHERE))
        self.km = km
        return np.rint(km * UNITS_PER_KM).astype(np.int64) + tier.astype(np.int64) * TIER_UNITS

    def needs_ge(self, g: _Group) -> list[int]:
        return [sum(1 for k in g.shape if k >= t) for t in range(1, self.largest + 1)]

    def candidates(self) -> list[np.ndarray]:
        k = self.rules.candidate_sites
        n = len(self.sites)
        if k <= 0 or n <= k:
            return [np.arange(n) for _ in self.groups]
        return [np.argpartition(row, k - 1)[:k] for row in self.cost]

    def waiting_units(self) -> int:
        return sum(g.people * len(g.households) for g in self.groups) * WAITING_UNITS


def _hand_out_rooms(
    problem: _Problem, counts: dict[tuple[int, int], int]
) -> tuple[dict[int, tuple[int, int]], list[str], int, float]:
    """Households of each group to the sites as ``counts[(g, s)]`` says, and
    their needs to rooms; returns rooms by person, waiting households, the
    objective and person-kilometres."""
    at_site: dict[int, list[RoomNeed]] = defaultdict(list)
    waiting: list[str] = []
    objective = 0
    travel = 0.0
    per_group: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (gi, si), n in counts.items():
        if n > 0:
            per_group[gi].append((si, n))
    for gi, g in enumerate(problem.groups):
        queue = list(g.households)
        for si, n in per_group[gi]:
            taken, queue = queue[:n], queue[n:]
            for _household, needs in taken:
                at_site[si].extend(needs)
            objective += n * g.people * int(problem.cost[gi, si])
            travel += n * g.people * float(problem.km[gi, si])
        waiting.extend(h.key for h, _ in queue)
        objective += len(queue) * g.people * WAITING_UNITS
    rooms: dict[int, tuple[int, int]] = {}
    for si, needs in at_site.items():
        site = problem.sites[si]
        free: dict[int, list[int]] = defaultdict(list)
        for room_id, capacity in sorted(site.rooms, key=lambda r: (r[1], r[0]), reverse=True):
            free[capacity].append(room_id)
        for need in sorted(needs, key=lambda n: -n.size):
            capacity = next(c for c in sorted(free) if c >= need.size and free[c])
            room_id = free[capacity].pop()
            for pid in need.person_ids:
                rooms[pid] = (site.site_id, room_id)
    return rooms, waiting, objective, travel


def _fits(left: np.ndarray, needs_ge: list[int]) -> bool:
    return all(left[t] >= needs_ge[t] for t in range(len(needs_ge)))


def _greedy_counts(problem: _Problem) -> dict[tuple[int, int], int]:
    """Largest households first, each to its cheapest site with room."""
    left = problem.cap_ge.copy()
    counts: dict[tuple[int, int], int] = defaultdict(int)
    order = sorted(range(len(problem.groups)), key=lambda gi: -max(problem.groups[gi].shape))
    for gi in order:
        g = problem.groups[gi]
        need = problem.needs_ge(g)
        ranked: list[int] = (
            [int(i) for i in np.argsort(problem.cost[gi], kind="stable")]
            if len(problem.sites)
            else []
        )
        for _ in g.households:
            for si in ranked:
                if _fits(left[si], need):
                    left[si] -= need
                    counts[(gi, int(si))] += 1
                    break
            else:
                break  # no site has room for this shape: the rest of the group waits
    return counts


def _rounded(
    problem: _Problem, relaxed: dict[tuple[int, int], float]
) -> dict[tuple[int, int], int]:
    """The relaxation's counts rounded down, the households left over placed greedily."""
    left = problem.cap_ge.copy()
    counts: dict[tuple[int, int], int] = defaultdict(int)
    placed = [0] * len(problem.groups)
    for (gi, si), value in relaxed.items():
        n = int(np.floor(value + 1e-9))
        if n > 0:
            counts[(gi, si)] = n
            placed[gi] += n
            left[si] -= n * np.array(problem.needs_ge(problem.groups[gi]))
    for gi, g in enumerate(problem.groups):
        need = problem.needs_ge(g)
        for _ in range(len(g.households) - placed[gi]):
            for si in np.argsort(problem.cost[gi], kind="stable"):
                if _fits(left[si], need):
                    left[si] -= need
                    counts[(gi, int(si))] += 1
                    break
            else:
                break
    return counts


def greedy_plan(households: list[Household], sites: list[SiteRooms], rules: PlanRules) -> Plan:
    """The fallback: each household to its cheapest site that still has room."""
    started = time.perf_counter()
    problem = _Problem(households, sites, rules)
    rooms, waiting, objective, travel = _hand_out_rooms(problem, _greedy_counts(problem))
    return Plan(
        rooms,
        waiting,
        round(travel, 3),
        "greedy",
        objective=objective,
        bound=_flow_bound(problem),
        solve_s=time.perf_counter() - started,
    )


def _flow_bound(problem: _Problem) -> int:
    """The min-cost-flow relaxation: every room need routed on its own (a
    household may split), to any room big enough; no plan costs less."""
    from ortools.graph.python import min_cost_flow  # heavy; only the planner needs it

    if not problem.groups:
        return 0
    # Pick-up points and need sizes as supplies (groups of one point share costs).
    points: dict[tuple[float, float, int], int] = {}
    supply: dict[tuple[int, int], int] = defaultdict(int)
    point_row: list[int] = []
    for gi, g in enumerate(problem.groups):
        p = points.setdefault((g.lon, g.lat, g.county), len(points))
        if p == len(point_row):
            point_row.append(gi)
        for k in g.shape:
            supply[(p, k)] += len(g.households)
    flow = min_cost_flow.SimpleMinCostFlow()
    n_sites, largest = len(problem.sites), problem.largest
    supply_nodes = {key: i for i, key in enumerate(supply)}
    first_room = len(supply_nodes)  # (site, capacity) nodes
    sink = first_room + n_sites * largest
    room_counts = np.diff(
        np.concatenate([problem.cap_ge, np.zeros((n_sites, 1), dtype=np.int64)], axis=1) * -1,
        axis=1,
    )  # rooms of exactly t places
    tails, heads, caps, costs = [], [], [], []
    total = 0
    for (p, k), node in supply_nodes.items():
        amount = supply[(p, k)]
        total += amount
        row = problem.cost[point_row[p]]
        for si in range(n_sites):
            for c in range(k, largest + 1):
                if room_counts[si, c - 1] > 0:
                    tails.append(node)
                    heads.append(first_room + si * largest + (c - 1))
                    caps.append(amount)
                    costs.append(int(row[si]) * k)
        tails.append(node)
        heads.append(sink)
        caps.append(amount)
        costs.append(WAITING_UNITS * k)
    for si in range(n_sites):
        for c in range(1, largest + 1):
            if room_counts[si, c - 1] > 0:
                tails.append(first_room + si * largest + (c - 1))
                heads.append(sink)
                caps.append(int(room_counts[si, c - 1]))
                costs.append(0)
    flow.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int32),
        np.array(heads, dtype=np.int32),
        np.array(caps, dtype=np.int64),
        np.array(costs, dtype=np.int64),
    )
    for (p, k), node in supply_nodes.items():
        flow.set_node_supply(node, supply[(p, k)])
    flow.set_node_supply(sink, -total)
    status = flow.solve()
    if status != flow.OPTIMAL:
        return 0
    return int(flow.optimal_cost())


def _lp(
    problem: _Problem, candidates: list[np.ndarray]
) -> tuple[int, dict[tuple[int, int], float]]:
    """The linear relaxation over the candidate sites (GLOP): a lower bound of
    the objective (of the whole problem when every site is a candidate) and
    the relaxed counts."""
    from ortools.linear_solver import pywraplp  # heavy; only the planner needs it

    solver = pywraplp.Solver.CreateSolver("GLOP")
    inf = solver.infinity()
    site_rows = [
        [solver.Constraint(-inf, int(problem.cap_ge[si, t])) for t in range(problem.largest)]
        for si in range(len(problem.sites))
    ]
    objective = solver.Objective()
    variables: dict[tuple[int, int], pywraplp.Variable] = {}
    for gi, g in enumerate(problem.groups):
        count = len(g.households)
        row = solver.Constraint(0, count)
        need = problem.needs_ge(g)
        for si in candidates[gi]:
            si = int(si)
            var = solver.NumVar(0, count, "")
            variables[(gi, si)] = var
            row.SetCoefficient(var, 1)
            for t, k in enumerate(need):
                if k:
                    site_rows[si][t].SetCoefficient(var, k)
            objective.SetCoefficient(var, (int(problem.cost[gi, si]) - WAITING_UNITS) * g.people)
    objective.SetMinimization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return 0, {}
    bound = int(np.ceil(objective.Value() - 1e-6)) + problem.waiting_units()
    return bound, {key: var.solution_value() for key, var in variables.items()}


def _stop_at_bound(target: int) -> Any:
    """A CP-SAT callback that stops at a plan meeting the relaxation's bound: proven optimal."""
    from ortools.sat.python import cp_model  # heavy; only the planner needs it

    class StopAtBound(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if self.objective_value <= target:
                self.stop_search()

    return StopAtBound()


def _cp_sat(
    problem: _Problem,
    candidates: list[np.ndarray],
    hint: dict[tuple[int, int], int],
    free: set[int] | None,
    target: int | None,
    rules: PlanRules,
    seconds: float,
):
    """CP-SAT over the groups in ``free`` (all when None), the others fixed at
    ``hint``; stops at ``target`` (the relaxation's bound) when it is met.
    Returns the counts and the solver's bound, or None when no plan was found."""
    from ortools.sat.python import cp_model  # heavy; only the planner needs it

    model = cp_model.CpModel()
    left = problem.cap_ge.copy()
    fixed: dict[tuple[int, int], int] = {}
    if free is not None:
        for (gi, si), n in hint.items():
            if gi not in free and n:
                fixed[(gi, si)] = n
                left[si] -= n * np.array(problem.needs_ge(problem.groups[gi]))
    variables: dict[tuple[int, int], cp_model.IntVar] = {}
    by_site: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    terms = []
    for gi, g in enumerate(problem.groups):
        if free is not None and gi not in free:
            continue
        count = len(g.households)
        row = []
        for si in candidates[gi]:
            si = int(si)
            var = model.new_int_var(0, count, f"n{gi}_{si}")
            variables[(gi, si)] = var
            by_site[si].append((gi, var))
            row.append(var)
            terms.append((int(problem.cost[gi, si]) - WAITING_UNITS) * g.people * var)
            model.add_hint(var, hint.get((gi, si), 0))
        model.add(sum(row) <= count)
    for si, entries in by_site.items():
        for t in range(problem.largest):
            used = [problem.needs_ge(problem.groups[gi])[t] * var for gi, var in entries]
            model.add(sum(used) <= int(left[si, t]))
    model.minimize(sum(terms))
    fixed_part = sum(
        (int(problem.cost[gi, si]) - WAITING_UNITS) * problem.groups[gi].people * n
        for (gi, si), n in fixed.items()
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = max(1, rules.workers)
    callback = _stop_at_bound(target - fixed_part) if target is not None else None
    status = solver.solve(model, callback)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    counts = dict(fixed)
    counts.update({key: int(solver.value(var)) for key, var in variables.items()})
    bound = int(solver.best_objective_bound) + fixed_part if free is None else None
    return counts, bound


def plan_placements(households: list[Household], sites: list[SiteRooms], rules: PlanRules) -> Plan:
    """The plan within ``rules.time_limit_s``: the linear relaxation (GLOP), the
    groups it leaves whole fixed and those it splits solved by CP-SAT; if that
    plan does not meet the relaxation's bound, CP-SAT over every group from it
    for the time left, stopping at the bound (proven optimal). The greedy plan
    if no solver finds one."""
    started = time.perf_counter()
    problem = _Problem(households, sites, rules)
    if not problem.groups:
        return Plan({}, [], 0.0, "cp-sat", solve_s=time.perf_counter() - started)
    candidates = problem.candidates()
    pruned = any(len(c) < len(sites) for c in candidates)
    lp_bound, relaxed = _lp(problem, candidates)
    constant = problem.waiting_units()
    hint = _rounded(problem, relaxed) if relaxed else _greedy_counts(problem)
    target = lp_bound - constant if relaxed else None
    split = {gi for (gi, _si), v in relaxed.items() if abs(v - round(v)) > 1e-6}
    # ... and the groups sharing a site with them, so the repair can swap rooms.
    busy = {si for (gi, si), v in relaxed.items() if gi in split and v > 1e-6}
    split |= {gi for (gi, si), v in relaxed.items() if si in busy and v > 1e-6}
    found = _cp_sat(problem, candidates, hint, split, target, rules, rules.time_limit_s / 4)
    counts = found[0] if found else hint
    solver_bound = None
    objective = _objective(problem, counts)
    if objective > lp_bound and time.perf_counter() - started < rules.time_limit_s:
        again = _cp_sat(
            problem,
            candidates,
            counts,
            None,
            target,
            rules,
            rules.time_limit_s - (time.perf_counter() - started),
        )
        if again and _objective(problem, again[0]) <= objective:
            counts, solver_bound = again
    if not counts:
        plan = greedy_plan(households, sites, rules)
        plan.solve_s = time.perf_counter() - started
        return plan
    rooms, waiting, objective, travel = _hand_out_rooms(problem, counts)
    bound = max(lp_bound, (solver_bound + constant) if solver_bound is not None else 0)
    if pruned:
        bound = _flow_bound(problem)  # the relaxations over the candidates bound only them
    return Plan(
        rooms,
        waiting,
        round(travel, 3),
        "cp-sat",
        objective=objective,
        bound=min(bound, objective),
        solve_s=time.perf_counter() - started,
    )


def _objective(problem: _Problem, counts: dict[tuple[int, int], int]) -> int:
    total = problem.waiting_units()
    for (gi, si), n in counts.items():
        total += (int(problem.cost[gi, si]) - WAITING_UNITS) * problem.groups[gi].people * n
    return total
