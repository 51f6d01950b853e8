"""A seeded simulation of Dorfman's design, to check the formula.

People are infected independently with probability ``p``; they are put in
pools of ``k`` in order (the last pool may be smaller, as a real round's last
tube is); a pool is tested once and, if any member is infected, every member
is tested alone. The count of tests is exact for that draw; its mean over
people approaches ``expected_tests_per_person`` as the population grows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dorfman import _check_prevalence, _check_size, expected_tests_per_person


@dataclass(frozen=True)
class SimulationResult:
    people: int
    pool_size: int
    prevalence: float
    infected: int
    pools: int
    positive_pools: int
    tests: int
    found: int  # infected people found by the individual re-tests

    @property
    def tests_per_person(self) -> float:
        return self.tests / self.people

    def as_dict(self) -> dict:
        return {
            "people": self.people,
            "pool_size": self.pool_size,
            "prevalence": self.prevalence,
            "infected": self.infected,
            "pools": self.pools,
            "positive_pools": self.positive_pools,
            "tests": self.tests,
            "found": self.found,
            "tests_per_person": round(self.tests_per_person, 6),
            "formula_tests_per_person": round(
                expected_tests_per_person(self.prevalence, self.pool_size), 6
            ),
        }


def simulate_dorfman(
    people: int, prevalence: float, pool_size: int, *, seed: int
) -> SimulationResult:
    """Run one seeded round of ``people`` at ``prevalence`` with pools of ``pool_size``."""
    p = _check_prevalence(prevalence)
    k = _check_size(pool_size)
    if isinstance(people, bool) or not isinstance(people, int) or people < 1:
        raise ValueError(f"people must be a whole number of at least 1, not {people!r}")
    rng = np.random.default_rng(seed)
    infected = rng.random(people) < p
    if k == 1:
        n = int(infected.sum())
        return SimulationResult(people, 1, p, n, people, n, people, n)
    pools = -(-people // k)
    pool_of = np.arange(people) // k
    positive = np.zeros(pools, dtype=bool)
    np.logical_or.at(positive, pool_of, infected)
    sizes = np.bincount(pool_of, minlength=pools)
    retests = int(sizes[positive].sum())
    return SimulationResult(
        people=people,
        pool_size=k,
        prevalence=p,
        infected=int(infected.sum()),
        pools=pools,
        positive_pools=int(positive.sum()),
        tests=pools + retests,
        found=int(infected[positive[pool_of]].sum()),
    )
