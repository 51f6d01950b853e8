"""The instantaneous reproduction number Rt (Cori et al., 2013), as EpiEstim.

Cori A, Ferguson NM, Fraser C, Cauchemez S. A new framework and software to
estimate time-varying reproduction numbers during epidemics. Am J Epidemiol
2013;178(9):1505-12. The same computation as EpiEstim's
``estimate_R(incid, method = "parametric_si", config = make_config(mean_si,
std_si))``, checked against its published example to 1e-6
(``engine/tests/test_epi_rt.py``):

- the serial interval is EpiEstim's ``discr_si``: a gamma distribution offset
  by one day (shape ((μ−1)/σ)², scale σ²/(μ−1)), discretised as in the web
  appendix 11 of the paper, over days 0 … T−1;
- the total infectiousness Λ_t = Σ_{s≥1} w_s (I_local + I_imported)_{t−s};
- with a gamma prior for R (mean 5, sd 5 by default), the posterior on a
  window [t_start, t_end] is gamma with shape a + Σ I_local and scale
  1 / (1/b + Σ Λ), defined only when t_end exceeds the serial interval's mean;
- the first day's cases count as imported (nobody in the series infected
  them), as EpiEstim does for a plain series.

Everything works on a matrix of series (rows) × days at once: Λ by one
matrix product with the serial interval's Toeplitz matrix, window sums by
cumulative sums, and quantiles through a table of the gamma's quantiles per
shape (shapes are whole numbers when counts are, so
10,000 series need a few thousand inverse incomplete gamma evaluations
instead of millions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaincinv
from scipy.stats import gamma

#: EpiEstim's default prior for R: gamma with this mean and standard deviation.
MEAN_PRIOR = 5.0
STD_PRIOR = 5.0
#: EpiEstim's reported quantiles.
QUANTILES = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)


def discrete_serial_interval(days: int, mean: float, sd: float) -> np.ndarray:
    """EpiEstim's ``discr_si(0:(days-1), mean, sd)``: the probability that the
    serial interval is k days, k = 0 … days−1 (gamma offset by one day)."""
    if sd <= 0:
        raise ValueError("the serial interval's standard deviation must be positive")
    if mean <= 1:
        raise ValueError("the serial interval's mean must exceed 1 day")
    shape = ((mean - 1) / sd) ** 2
    scale = sd**2 / (mean - 1)
    k = np.arange(days, dtype=float)

    def cdf(x: np.ndarray, a: float) -> np.ndarray:
        return gamma.cdf(x, a, scale=scale)

    w = k * cdf(k, shape) + (k - 2) * cdf(k - 2, shape) - 2 * (k - 1) * cdf(k - 1, shape)
    w += shape * scale * (2 * cdf(k - 1, shape + 1) - cdf(k - 2, shape + 1) - cdf(k, shape + 1))
    return np.maximum(w, 0.0)


def total_infectiousness(incidence: np.ndarray, serial_interval: np.ndarray) -> np.ndarray:
    """Λ (series × days): Σ_{s=1}^{t} w_s I_{t−s} for every series at once;
    Λ_0 is NaN (nothing before the first day)."""
    incidence = np.atleast_2d(np.asarray(incidence, dtype=float))
    days = incidence.shape[1]
    w = np.zeros(days)
    n = min(days, len(serial_interval))
    w[:n] = serial_interval[:n]
    w[0] = 0.0  # nobody infects on the day of their own onset
    # Λ = I · W with W[u, t] = w[t − u]: one matrix product for every series
    # (BLAS), exact over the whole serial interval as EpiEstim sums it.
    lag = np.arange(days)[np.newaxis, :] - np.arange(days)[:, np.newaxis]
    weights = np.where(lag >= 0, w[np.clip(lag, 0, days - 1)], 0.0)
    lam = incidence @ weights
    lam[:, 0] = np.nan
    return lam


@dataclass(frozen=True)
class RtEstimate:
    """Rt on sliding windows: each array is (series, windows); windows end on
    ``t_end`` (0-based days) and start ``window − 1`` days earlier. NaN where
    the window ends before the serial interval's mean (as EpiEstim leaves it)."""

    t_start: np.ndarray
    t_end: np.ndarray
    shape: np.ndarray
    scale: np.ndarray
    quantiles: dict[float, np.ndarray]
    serial_interval: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        return self.shape * self.scale


def _gamma_quantiles(
    shape: np.ndarray, probabilities: tuple[float, ...]
) -> dict[float, np.ndarray]:
    """Quantiles of gamma(shape, scale 1) for every cell (all finite), each
    distinct shape computed once: by a table indexed by the shape when every
    shape is a whole number (whole counts and EpiEstim's prior), else by the
    distinct values."""
    whole = shape.astype(np.int64)
    if (
        shape.size
        and whole.min() >= 0
        and whole.max() < 50_000_000
        and np.array_equal(whole, shape)
    ):
        distinct = np.flatnonzero(np.bincount(whole.ravel()))
        return {p: _by_table(distinct, whole, p) for p in probabilities}
    shapes, where = np.unique(shape, return_inverse=True)
    return {p: gammaincinv(shapes, p)[where.reshape(shape.shape)] for p in probabilities}


def _by_table(distinct: np.ndarray, whole: np.ndarray, p: float) -> np.ndarray:
    table = np.zeros(int(distinct[-1]) + 1)
    table[distinct] = gammaincinv(distinct.astype(float), p)
    return table[whole]


def estimate_rt(
    incidence: np.ndarray,
    *,
    mean_si: float,
    std_si: float,
    window: int = 7,
    imported: np.ndarray | None = None,
    mean_prior: float = MEAN_PRIOR,
    std_prior: float = STD_PRIOR,
    quantiles: tuple[float, ...] = QUANTILES,
) -> RtEstimate:
    """Rt of each series (rows of ``incidence``: daily local cases, or all
    cases when ``imported`` is None, of which the first day's count as
    imported) on sliding windows of ``window`` days ending on every day from
    ``window`` (0-based) on, as EpiEstim's default weekly windows
    (t_start = 2 … T−6, t_end = 8 … T in its 1-based days)."""
    cases = np.atleast_2d(np.asarray(incidence, dtype=float))
    days = cases.shape[1]
    if days < window + 1:
        raise ValueError(f"a series needs more than {window} days")
    if imported is None:
        total = cases
        local = cases.copy()
        local[:, 0] = 0.0  # the first day's cases were infected elsewhere
    else:
        local = cases
        total = cases + np.atleast_2d(np.asarray(imported, dtype=float))
    si = discrete_serial_interval(days, mean_si, std_si)
    lam = total_infectiousness(total, si)
    lam[:, 0] = 0.0  # Λ_0 is never inside a window (windows start on day 1)
    t_end = np.arange(window, days)
    t_start = t_end - window + 1
    a_prior = (mean_prior / std_prior) ** 2
    b_prior = std_prior**2 / mean_prior
    mean_si_discrete = float(np.sum(si * np.arange(days)))
    # EpiEstim's t_end is 1-based: a window has an estimate once t_end + 1 > mean.
    # The windows without an estimate are the first ``k`` (t_end grows).
    k = int(np.count_nonzero((t_end + 1) <= mean_si_discrete))
    shape = a_prior + _window_sums(local, window)
    scale = 1.0 / (1.0 / b_prior + _window_sums(lam, window))
    shape[:, :k] = np.nan
    scale[:, :k] = np.nan
    found = {}
    for p, q in _gamma_quantiles(shape[:, k:], quantiles).items():
        found[p] = np.empty_like(shape)
        found[p][:, :k] = np.nan
        np.multiply(q, scale[:, k:], out=found[p][:, k:])
    return RtEstimate(
        t_start=t_start,
        t_end=t_end,
        shape=shape,
        scale=scale,
        quantiles=found,
        serial_interval=si,
    )


def _window_sums(values: np.ndarray, window: int) -> np.ndarray:
    """Sums over the windows ending on days ``window`` … T−1 (0-based), each
    ``window`` days long and starting on day 1 or later."""
    running = np.cumsum(values, axis=1)
    return running[:, window:] - running[:, :-window]


def doubling_time(incidence: np.ndarray, *, days: int = 7) -> np.ndarray:
    """Doubling time in days of each series, from the growth rate of its last
    ``2 × days`` days: r = ln(cases in the last ``days`` / cases in the
    ``days`` before) / ``days``, doubling time ln 2 / r. Infinite when cases
    do not grow (r ≤ 0), NaN when either week had none."""
    cases = np.atleast_2d(np.asarray(incidence, dtype=float))
    recent = cases[:, -days:].sum(axis=1)
    before = cases[:, -2 * days : -days].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.log(recent / before) / days
        result = np.where(rate > 0, np.log(2) / rate, np.inf)
    result[(recent == 0) | (before == 0)] = np.nan
    return result


def project(
    incidence: np.ndarray, r: np.ndarray, *, mean_si: float, std_si: float, horizon: int = 7
) -> np.ndarray:
    """Expected daily cases for ``horizon`` days after each series ends, by
    the renewal equation E[I_t] = R Λ_t with R held at ``r`` (one per series:
    the latest estimate's mean). Returns (series, horizon)."""
    cases = np.atleast_2d(np.asarray(incidence, dtype=float))
    r = np.nan_to_num(np.asarray(r, dtype=float).reshape(-1))
    days = cases.shape[1]
    si = discrete_serial_interval(days + horizon, mean_si, std_si)
    si[0] = 0.0
    extended = np.concatenate([cases, np.zeros((cases.shape[0], horizon))], axis=1)
    for step in range(horizon):
        t = days + step
        # Λ_t from every day before t, the projected ones included.
        lam = extended[:, :t][:, ::-1] @ si[1 : t + 1]
        extended[:, t] = r * lam
    return extended[:, days:]
