"""Rt by Cori et al. (2013), checked against EpiEstim's published example."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from zhanyi.engine.epi.curve import daily_counts
from zhanyi.engine.epi.rt import (
    discrete_serial_interval,
    doubling_time,
    estimate_rt,
    project,
    total_infectiousness,
)

FLU2009 = json.loads(
    (Path(__file__).parent / "data" / "epiestim_flu2009_parametric_si.json").read_text()
)
COLUMNS = {
    "Quantile.0.025(R)": 0.025,
    "Quantile.0.05(R)": 0.05,
    "Quantile.0.25(R)": 0.25,
    "Median(R)": 0.5,
    "Quantile.0.75(R)": 0.75,
    "Quantile.0.95(R)": 0.95,
    "Quantile.0.975(R)": 0.975,
}


def test_it_matches_epiestims_flu2009_example_with_a_parametric_serial_interval_to_1e_6():
    estimate = estimate_rt(
        np.array(FLU2009["incidence"]), mean_si=FLU2009["mean_si"], std_si=FLU2009["std_si"]
    )
    expected = FLU2009["R"]
    # EpiEstim's 1-based windows 2..8 … 26..32 are ours 1..7 … 25..31.
    assert list(estimate.t_start + 1) == expected["t_start"]
    assert list(estimate.t_end + 1) == expected["t_end"]
    np.testing.assert_allclose(estimate.mean[0], expected["Mean(R)"], rtol=0, atol=1e-6)
    std = np.sqrt(estimate.shape) * estimate.scale  # of the gamma posterior
    np.testing.assert_allclose(std[0], expected["Std(R)"], rtol=0, atol=1e-6)
    for column, p in COLUMNS.items():
        np.testing.assert_allclose(estimate.quantiles[p][0], expected[column], rtol=0, atol=1e-6)


def test_the_serial_interval_is_epiestims_discretised_offset_gamma():
    si = discrete_serial_interval(33, 2.6, 1.5)
    np.testing.assert_allclose(si[:10], FLU2009["serial_interval_head"], rtol=1e-6, atol=1e-12)
    assert si.sum() == pytest.approx(1.0, abs=1e-8)
    mean = float(np.sum(si * np.arange(33)))
    assert mean == pytest.approx(2.6, abs=1e-6)
    with pytest.raises(ValueError, match="mean must exceed 1"):
        discrete_serial_interval(10, 1.0, 1.0)


def _reference_lambda(cases: np.ndarray, si: np.ndarray) -> np.ndarray:
    """EpiEstim's overall_infectivity, one day at a time."""
    out = np.full(len(cases), np.nan)
    for t in range(1, len(cases)):
        out[t] = sum(si[s] * cases[t - s] for s in range(1, t + 1))
    return out


def test_many_series_at_once_give_what_each_gives_alone():
    rng = np.random.default_rng(7)
    series = rng.poisson(rng.uniform(0.5, 20, size=(5, 1)), size=(5, 60))
    together = estimate_rt(series, mean_si=4.8, std_si=2.3)
    for row in range(5):
        alone = estimate_rt(series[row], mean_si=4.8, std_si=2.3)
        np.testing.assert_allclose(together.mean[row], alone.mean[0], equal_nan=True)
        np.testing.assert_allclose(
            together.quantiles[0.975][row], alone.quantiles[0.975][0], equal_nan=True
        )
    si = discrete_serial_interval(60, 4.8, 2.3)
    lam = total_infectiousness(series, si)
    for row in range(5):
        np.testing.assert_allclose(lam[row], _reference_lambda(series[row], si), equal_nan=True)


def test_windows_ending_before_the_mean_serial_interval_have_no_estimate():
    estimate = estimate_rt(np.ones(20), mean_si=8.0, std_si=2.0, window=3)
    # The mean of the serial interval as discretised over the series' 20 days.
    mean = float(np.sum(estimate.serial_interval * np.arange(20)))
    assert 7 < mean < 8
    assert np.isnan(estimate.mean[0, estimate.t_end + 1 <= mean]).all()
    assert np.isfinite(estimate.mean[0, estimate.t_end + 1 > mean]).all()
    assert (estimate.t_end + 1 <= mean).sum() == 4


def test_steady_counts_give_r_near_one_and_no_doubling():
    estimate = estimate_rt(np.full(120, 200), mean_si=2.6, std_si=1.5)
    assert estimate.mean[0, -1] == pytest.approx(1.0, abs=0.02)
    assert doubling_time(np.full((1, 30), 200))[0] == np.inf


def test_doubling_time_of_a_series_growing_by_a_tenth_a_day():
    days = np.arange(28)
    growing = np.round(100 * 1.1**days)
    assert doubling_time(growing)[0] == pytest.approx(np.log(2) / np.log(1.1), rel=0.01)
    assert np.isnan(doubling_time(np.zeros(28))[0])


def test_the_projection_follows_the_renewal_equation():
    cases = np.full((2, 40), 50.0)
    flat = project(cases, np.array([1.0, 2.0]), mean_si=2.6, std_si=1.5, horizon=5)
    assert flat.shape == (2, 5)
    np.testing.assert_allclose(flat[0], 50.0, rtol=1e-3)
    assert np.all(np.diff(flat[1]) > 0) and flat[1, 0] == pytest.approx(100.0, rel=1e-3)


def test_daily_counts_bin_events_by_area_and_day_and_leave_out_the_rest():
    counts = daily_counts(np.array([0, 0, 1, 1, 1, 2]), np.array([0, 0, 3, 3, 9, -1]), 3, 5)
    assert counts.tolist() == [[2, 0, 0, 0, 0], [0, 0, 0, 2, 0], [0, 0, 0, 0, 0]]
