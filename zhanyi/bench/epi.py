"""Rt of many area-series at once (zhanyi.engine.epi): the epidemic curve's arithmetic.

``zhanyi bench epi [--series 10000] [--days 365] [--repeat 3]`` makes seeded
Poisson series (each area its own level and growth) and times
``estimate_rt`` (Cori et al. 2013, parametric serial interval 2.6 ± 1.5 days,
weekly windows, mean and the 2.5 %, 50 % and 97.5 % quantiles),
``doubling_time`` and a 7-day ``project``ion over all of them. Goal (issue 19):
10,000 series of 365 days in under 1 s. The last line is one JSON object:
``rt_s``, ``doubling_s``, ``projection_s`` (medians of ``--repeat`` runs, wall
clock), ``rt_cpu_s`` (the CPU time of ``rt_s``, all threads: on a shared
machine the wall clock also counts the waits for a core) and ``total_s`` (the
wall clock's sum).
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import TextIO

import numpy as np

from zhanyi.engine.epi.rt import doubling_time, estimate_rt, project


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=19)


def _series(n: int, days: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    level = rng.uniform(0.2, 50, size=(n, 1))
    growth = rng.uniform(-0.03, 0.03, size=(n, 1))
    expected = level * np.exp(growth * np.minimum(np.arange(days), 120)[np.newaxis, :])
    return rng.poisson(expected)


def run(options: dict, out: TextIO) -> dict:
    n, days = options["series"], options["days"]
    cases = _series(n, days, options["seed"])
    out.write(f"{n:,} series of {days} days, {int(cases.sum()):,} cases\n")
    timings: dict[str, list[float]] = {
        "rt_s": [],
        "rt_cpu_s": [],
        "doubling_s": [],
        "projection_s": [],
    }
    for _ in range(options["repeat"]):
        t, cpu = time.perf_counter(), time.process_time()
        rt = estimate_rt(cases, mean_si=2.6, std_si=1.5, quantiles=(0.025, 0.5, 0.975))
        timings["rt_s"].append(time.perf_counter() - t)
        timings["rt_cpu_s"].append(time.process_time() - cpu)
        t = time.perf_counter()
        doubling_time(cases)
        timings["doubling_s"].append(time.perf_counter() - t)
        t = time.perf_counter()
        project(cases, rt.mean[:, -1], mean_si=2.6, std_si=1.5, horizon=7)
        timings["projection_s"].append(time.perf_counter() - t)
    figures: dict = {"bench": "epi", "series": n, "days": days}
    for name, values in timings.items():
        figures[name] = round(statistics.median(values), 4)
    figures["total_s"] = round(figures["rt_s"] + figures["doubling_s"] + figures["projection_s"], 4)
    return figures
