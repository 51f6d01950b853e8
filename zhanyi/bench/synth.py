"""Synthetic city generation: people, households and billions of stays.

``zhanyi bench synth --scale full`` builds the full city (5.05 million people)
and its 14 days of stays (about 1.7 billion rows), timing the two halves and
measuring the peak memory of the largest process, workers included. Output
goes to a temporary folder under ``bench-data/``, removed afterwards unless
``--keep``.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import TextIO

import psutil

from zhanyi.engine.synth import SynthConfig, generate
from zhanyi.engine.synth.config import DEFAULT_SEED

BENCH_ROOT = Path.cwd() / "bench-data"


def _scale(value: str) -> str | int:
    value = value.strip().replace("_", "").replace(",", "")
    return int(value) if value.isdigit() else value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scale",
        default="full",
        type=_scale,
        help="small, medium, full or a number of people (default full)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default: a temporary one under bench-data/)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the output")


class _PeakSampler:
    """Largest resident set of this process or any descendant, sampled.

    ``RUSAGE_CHILDREN`` only counts children once they have exited and been
    waited for; sampling also catches workers still running, and any
    grandchild.
    """

    def __init__(self, every: float = 0.5) -> None:
        self.peak = 0
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            try:
                procs = [me, *me.children(recursive=True)]
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        self.peak = max(self.peak, p.memory_info().rss)
            except psutil.Error:
                pass
            self._stop.wait(self._every)


def run(options: dict, out: TextIO) -> dict:
    cfg = SynthConfig.for_scale(options["scale"], seed=options["seed"], days=options["days"])
    if options.get("out"):
        target = Path(options["out"])
        cleanup = False
    else:
        BENCH_ROOT.mkdir(parents=True, exist_ok=True)
        target = Path(tempfile.mkdtemp(prefix="synth-", dir=BENCH_ROOT))
        cleanup = not options.get("keep")
    out.write(f"synth: {cfg.people:,} people, {cfg.days} days, seed {cfg.seed} → {target}\n")
    out.flush()
    t = time.perf_counter()
    stays_bytes = 0
    try:
        with _PeakSampler() as sampler:
            manifest = generate(cfg, target, progress=True, workers=options.get("workers"))
        stays_bytes = sum(f.stat().st_size for f in (target / "stays").rglob("*.parquet"))
    finally:
        if cleanup:
            shutil.rmtree(target, ignore_errors=True)
    wall = time.perf_counter() - t
    # ru_maxrss is in KiB on Linux; children count once waited for.
    self_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak_mb = max(self_kib / 1024, child_kib / 1024, sampler.peak / 2**20)
    timings = manifest["timings"]
    stays_dir_note = "removed" if cleanup else str(target)
    out.write(
        f"  people and households {timings['households_total_s']:.1f}s "
        f"(areas {timings['areas_s']:.1f}s, households {timings['households_s']:.1f}s, "
        f"places {timings['places_s']:.1f}s, write {timings['write_s']:.1f}s)\n"
        f"  stays {manifest['stays']:,} ({stays_bytes / 2**30:.1f} GiB) in "
        f"{timings.get('stays_s', 0):.1f}s; "
        f"wall {wall:.1f}s; peak RSS {peak_mb:,.0f} MB; output {stays_dir_note}\n"
    )
    out.flush()
    return {
        "bench": "synth",
        "people": manifest["people"],
        "households_s": timings["households_total_s"],
        "stays": manifest["stays"],
        "stays_s": timings.get("stays_s"),
        "peak_rss_mb": round(peak_mb),
        "households": manifest["households"],
        "places": manifest["places"],
        "days": cfg.days,
        "stays_gib": round(stays_bytes / 2**30, 2),
        "wall_s": round(wall, 1),
    }
