"""Pooled testing design (混采): choosing the pool size and checking it by simulation.

``dorfman`` has the closed form of Dorfman's two-stage design (a pool of k
swabs tested once; a positive pool's people re-tested one by one) and the
recommendation of k from an estimated prevalence; ``simulate`` runs the same
design on a seeded random population so the formula can be checked.
"""

from .dorfman import PoolOption, PoolRecommendation, expected_tests_per_person, recommend_pool_size
from .simulate import SimulationResult, simulate_dorfman

__all__ = [
    "PoolOption",
    "PoolRecommendation",
    "SimulationResult",
    "expected_tests_per_person",
    "recommend_pool_size",
    "simulate_dorfman",
]
