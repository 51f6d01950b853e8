"""Dorfman's two-stage pooled testing (混采, 10合1).

With prevalence ``p`` and pools of ``k`` swabs, each pool is tested once and,
when positive (probability ``1 - (1-p)^k``), each of its ``k`` people is
re-sampled and tested alone. The expected number of tests per person is::

    E(k) = 1/k + 1 - (1 - p)^k          (k > 1)
    E(1) = 1                            (single-tube testing, 单采单检)

The recommendation picks, among the allowed sizes up to a cap, the ``k`` with
the fewest expected tests per person (ties go to the smaller pool: fewer
people isolated per positive tube).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_SIZES: tuple[int, ...] = (1, 5, 10, 20)


def _check_prevalence(p: float) -> float:
    if isinstance(p, bool) or not isinstance(p, int | float) or math.isnan(p):
        raise ValueError(f"prevalence must be a number between 0 and 1, not {p!r}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"prevalence must be between 0 and 1, not {p}")
    return float(p)


def _check_size(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"a pool size must be a whole number of at least 1, not {k!r}")
    return k


def expected_tests_per_person(p: float, k: int) -> float:
    """Dorfman's expected tests per person for pool size ``k`` at prevalence ``p``."""
    p = _check_prevalence(p)
    k = _check_size(k)
    if k == 1:
        return 1.0
    return 1.0 / k + 1.0 - (1.0 - p) ** k


@dataclass(frozen=True)
class PoolOption:
    """One pool size and what it costs at the given prevalence."""

    pool_size: int
    tests_per_person: float
    people_per_test: float
    positive_pool_probability: float
    expected_tests: float  # for the whole population asked about

    def as_dict(self) -> dict:
        return {
            "pool_size": self.pool_size,
            "tests_per_person": round(self.tests_per_person, 6),
            "people_per_test": round(self.people_per_test, 4),
            "positive_pool_probability": round(self.positive_pool_probability, 6),
            "expected_tests": round(self.expected_tests, 1),
        }


@dataclass(frozen=True)
class PoolRecommendation:
    prevalence: float
    population: int
    cap: int
    best: PoolOption
    options: tuple[PoolOption, ...]

    def as_dict(self) -> dict:
        return {
            "prevalence": self.prevalence,
            "population": self.population,
            "cap": self.cap,
            "recommended_pool_size": self.best.pool_size,
            "best": self.best.as_dict(),
            "options": [o.as_dict() for o in self.options],
        }


def pool_option(p: float, k: int, population: int = 1) -> PoolOption:
    e = expected_tests_per_person(p, k)
    return PoolOption(
        pool_size=k,
        tests_per_person=e,
        people_per_test=1.0 / e,
        positive_pool_probability=1.0 - (1.0 - p) ** k,  # p itself for a single tube
        expected_tests=e * population,
    )


def recommend_pool_size(
    prevalence: float,
    *,
    sizes: Iterable[int] = DEFAULT_SIZES,
    cap: int | None = None,
    population: int = 1,
) -> PoolRecommendation:
    """The pool size (among ``sizes``, at most ``cap``) with the fewest expected tests."""
    p = _check_prevalence(prevalence)
    allowed = sorted({_check_size(k) for k in sizes})
    if not allowed:
        raise ValueError("no pool sizes to choose from")
    if cap is None:
        cap = max(allowed)
    cap = _check_size(cap)
    if isinstance(population, bool) or not isinstance(population, int) or population < 0:
        raise ValueError(f"population must be a whole number, not {population!r}")
    within = [k for k in allowed if k <= cap]
    if not within:
        raise ValueError(f"no allowed pool size is at most the cap {cap} (sizes: {allowed})")
    options = tuple(pool_option(p, k, population) for k in within)
    best = min(options, key=lambda o: (round(o.tests_per_person, 12), o.pool_size))
    return PoolRecommendation(p, population, cap, best, options)
