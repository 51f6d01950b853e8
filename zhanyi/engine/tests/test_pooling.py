"""Pool-size recommendation (Dorfman) and its check by simulation."""

from __future__ import annotations

import math

import pytest

from zhanyi.engine.pooling import expected_tests_per_person, recommend_pool_size, simulate_dorfman


def test_single_tube_testing_costs_one_test_per_person():
    assert expected_tests_per_person(0.3, 1) == 1.0


def test_the_formula_matches_a_hand_computed_value():
    # 1/10 + 1 - 0.99^10
    assert expected_tests_per_person(0.01, 10) == pytest.approx(0.1 + 1 - 0.99**10)


def test_at_zero_prevalence_a_pool_costs_one_test_per_k_people():
    assert expected_tests_per_person(0.0, 20) == pytest.approx(1 / 20)


def test_low_prevalence_recommends_the_largest_pool_under_the_cap():
    rec = recommend_pool_size(0.0001)
    assert rec.best.pool_size == 20
    assert recommend_pool_size(0.0001, cap=10).best.pool_size == 10


def test_a_prevalence_around_one_percent_recommends_ten_in_one():
    rec = recommend_pool_size(0.01, population=1_083_000)
    assert rec.best.pool_size == 10
    assert rec.best.people_per_test == pytest.approx(1 / rec.best.tests_per_person)
    assert rec.best.expected_tests == pytest.approx(1_083_000 * rec.best.tests_per_person)


def test_high_prevalence_recommends_single_tubes():
    # Above about 30% pooling costs more than testing everyone alone.
    assert recommend_pool_size(0.35).best.pool_size == 1


def test_the_recommendation_is_the_minimum_of_its_options():
    for p in (0.0005, 0.002, 0.01, 0.03, 0.08, 0.2):
        rec = recommend_pool_size(p)
        assert rec.best.tests_per_person == min(o.tests_per_person for o in rec.options)


def test_bad_inputs_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="between 0 and 1"):
        recommend_pool_size(1.5)
    with pytest.raises(ValueError, match="number"):
        recommend_pool_size(math.nan)
    with pytest.raises(ValueError, match="at least 1"):
        expected_tests_per_person(0.01, 0)
    with pytest.raises(ValueError, match="cap 3"):
        recommend_pool_size(0.01, sizes=(5, 10), cap=3)


@pytest.mark.parametrize("p,k", [(0.001, 10), (0.01, 10), (0.01, 5), (0.05, 5), (0.02, 20)])
def test_a_seeded_simulation_agrees_with_the_formula(p, k):
    sim = simulate_dorfman(200_000, p, k, seed=7)
    expected = expected_tests_per_person(p, k)
    # The standard error at 200,000 people is well under 0.5% of the mean.
    assert sim.tests_per_person == pytest.approx(expected, rel=0.02)
    assert sim.found == sim.infected  # Dorfman finds every infected person


def test_the_simulation_is_repeatable_for_a_seed_and_differs_for_another():
    a = simulate_dorfman(10_000, 0.02, 10, seed=1)
    assert a == simulate_dorfman(10_000, 0.02, 10, seed=1)
    assert a != simulate_dorfman(10_000, 0.02, 10, seed=2)


def test_a_simulation_with_a_partial_last_pool_counts_it():
    sim = simulate_dorfman(25, 0.0, 10, seed=0)
    assert sim.pools == 3 and sim.tests == 3
    sim = simulate_dorfman(25, 1.0, 10, seed=0)
    assert sim.tests == 3 + 25
