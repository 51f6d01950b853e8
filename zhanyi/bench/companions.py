"""Companion search (时空伴随): ingest throughput, engine vs a naive join, and scaling.

``zhanyi bench companions --people N`` generates (or reuses, under
``bench-data/companions/``) a city of N people with 14 days of stays, ingests
it into a companion store, then times the companions of 3 and of 300 cases
with the engine and with the naive way: one DuckDB join of the cases' stays
against the raw, unclustered stays folder. The last line is one JSON object
of figures.

Scaling, two ways (docs/companions.md explains why):

- ``slowdown_at_10x_data``, the footprint held fixed: the same 3 cases in a
  city ten times smaller in extent, the region of the big city nearest the
  cases' cells holding a tenth of its stays, with every stay of the cases'
  cells. The answer is the same rows; only the city around them differs.
  The two stores are queried in turns (twice ``--repeat`` rounds, at least
  10; medians), so a shared machine's load falls on both alike.
- ``slowdown_at_10x_density``: the synthetic city of N/10 people, whose
  geography is the same, so its cells hold a tenth of the people and a case
  meets a tenth of the companions; with the cost per row found.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import shutil
import statistics
import time
from pathlib import Path
from typing import TextIO

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from zhanyi.engine.backends import get_backend
from zhanyi.engine.companions import Store, find_companions, ingest_stays
from zhanyi.engine.companions.ingest import connect, input_days
from zhanyi.engine.companions.query import plan_cases
from zhanyi.engine.companions.store import (
    DAY_S,
    LOCAL_OFFSET_S,
    date_to_day_no,
    day_no_to_date,
)
from zhanyi.engine.companions.testing import cases_table
from zhanyi.engine.companions.window import refresh_windows
from zhanyi.engine.grid import ZHANGZHOU
from zhanyi.engine.protocol import load_protocol
from zhanyi.engine.schema import STAYS

DATA_ROOT = Path.cwd() / "bench-data" / "companions"
FIRST_DAY = dt.date(2021, 9, 3)
DAYS = 14


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--data-dir", type=Path, default=DATA_ROOT)
    parser.add_argument("--repeat", type=int, default=5, help="engine runs per figure (median)")
    parser.add_argument("--naive-repeat", type=int, default=1)
    parser.add_argument(
        "--reuse-store",
        action="store_true",
        help="skip ingest when a store exists (no ingest figure)",
    )
    parser.add_argument(
        "--small-people",
        type=int,
        default=None,
        help="people in the sparser city for the density figure (default N/10)",
    )
    parser.add_argument(
        "--region-fraction",
        type=float,
        default=0.1,
        help="share of the city's stays in the region for the fixed-footprint figure",
    )
    parser.add_argument("--generator", choices=["auto", "synth", "builtin"], default="auto")
    parser.add_argument("--threads", type=int, default=2)


def _say(out: TextIO, text: str) -> None:
    out.write(text + "\n")
    out.flush()


# -- data --------------------------------------------------------------------------
def _synth_available() -> bool:
    try:
        from zhanyi.engine.synth import SynthConfig, generate  # noqa: F401
    except ImportError:
        return False
    return True


def generate_city(people: int, seed: int, out_dir: Path, generator: str, out: TextIO) -> str:
    """Write ``out_dir/stays/day=…`` unless it is there already; return the generator used."""
    marker = out_dir / "bench-city.json"
    if marker.exists():
        return json.loads(marker.read_text())["generator"]
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    use = generator
    if use == "auto":
        use = "synth" if _synth_available() else "builtin"
    started = time.perf_counter()
    if use == "synth":
        from zhanyi.engine.synth import SynthConfig, generate

        generate(SynthConfig.for_scale(people, seed=seed, days=DAYS), out_dir, progress=True)
    else:
        builtin_city(people, seed, out_dir / "stays", out)
    marker.write_text(
        json.dumps(
            {
                "generator": use,
                "people": people,
                "seed": seed,
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )
    return use


def builtin_city(people: int, seed: int, stays_dir: Path, out: TextIO) -> None:
    """Hourly stays for a city when ``zhanyi.engine.synth`` is not there.

    People live in populated cells (about 125 residents a cell on average,
    lognormal), most work in another cell from 08:00 to 18:00, and spend the
    evening at home or in one of two other places. Like synth's output: one
    stay per hour, consecutive hours often in the same cell.
    """
    rng = np.random.default_rng(seed)
    n_cells = max(8, min(ZHANGZHOU.n_cells, people // 125))
    cells = np.sort(rng.choice(ZHANGZHOU.n_cells, size=n_cells, replace=False)).astype(np.int32)
    weight = rng.lognormal(0, 1.2, size=n_cells)
    weight /= weight.sum()
    pick = lambda n: cells[rng.choice(n_cells, size=n, p=weight)]  # noqa: E731
    home, work = pick(people), pick(people)
    works = rng.random(people) < 0.7
    others = np.stack([pick(people), pick(people)], axis=1)
    person_ids = np.arange(1, people + 1, dtype=np.int64)
    for d in range(DAYS):
        date = FIRST_DAY + dt.timedelta(days=d)
        t0 = date_to_day_no(date) * DAY_S - LOCAL_OFFSET_S
        hour_cells = np.empty((people, 24), dtype=np.int32)
        hour_cells[:, :] = home[:, None]
        weekday = date.weekday() < 5
        if weekday:
            hour_cells[:, 8:18] = np.where(works[:, None], work[:, None], home[:, None])
        evening = rng.random((people, 4)) < 0.3
        which = rng.integers(0, 2, size=(people, 4))
        hour_cells[:, 18:22] = np.where(
            evening, np.take_along_axis(others, which, 1), hour_cells[:, 18:22]
        )
        folder = stays_dir / f"day={date.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        chunk = 200_000
        for part, lo in enumerate(range(0, people, chunk)):
            hi = min(people, lo + chunk)
            n = hi - lo
            starts = t0 + np.tile(np.arange(24, dtype=np.int64) * 3600, n)
            table = pa.table(
                {
                    "person_id": np.repeat(person_ids[lo:hi], 24),
                    "cell_id": hour_cells[lo:hi].reshape(-1),
                    "start": pa.array(starts)
                    .cast(pa.timestamp("s"))
                    .cast(STAYS.field("start").type),
                    "end": pa.array(starts + 3600)
                    .cast(pa.timestamp("s"))
                    .cast(STAYS.field("end").type),
                },
                schema=STAYS,
            )
            pq.write_table(table, folder / f"part-{part:04d}.parquet", compression="zstd")
        _say(out, f"  generated {date} ({people * 24:,} stays)")


# -- cases -------------------------------------------------------------------------
def choose_cases(store: Store, seed: int, n: int) -> pa.Table:
    """``n`` people seen on the last day, chosen by seed; windows from the protocol.

    Onset two days before the last day, isolation at noon on the last day, so
    the exposure window (from 2 days before onset) spans about four and a half days.
    """
    protocol = load_protocol()
    last = store.days()[-1]
    ids = (
        pq.read_table(store.file("person_cells", last), columns=["person_id"])
        .column("person_id")
        .to_numpy()
    )
    ids = np.unique(ids)
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(ids, size=min(n, len(ids)), replace=False))
    isolated = dt.datetime.combine(last, dt.time(12), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    start, end = protocol.exposure_window(isolated, onset_date=last - dt.timedelta(days=2))
    return cases_table([(int(p), int(start.timestamp()), int(end.timestamp())) for p in chosen])


# -- the naive way -------------------------------------------------------------------
NAIVE_SQL = """
WITH raw AS (
  SELECT person_id, cell_id, CAST(epoch("start") AS BIGINT) AS s, CAST(epoch("end") AS BIGINT) AS e
  FROM read_parquet($files)
), case_stays AS (
  SELECT c.person_id AS case_id, r.cell_id, GREATEST(r.s, c.ws) AS s, LEAST(r.e, c.we) AS e,
         c.lb_lo, c.lb_hi
  FROM raw r JOIN cases c ON r.person_id = c.person_id
  WHERE r.s < c.we AND r.e > c.ws
), overlapping AS (
  SELECT cs.case_id, r.person_id AS companion_id, cs.cell_id,
         SUM(LEAST(cs.e, r.e) - GREATEST(cs.s, r.s)) AS overlap_s
  FROM case_stays cs JOIN raw r ON r.cell_id = cs.cell_id
  WHERE r.s < cs.e AND r.e > cs.s AND r.person_id <> cs.case_id
  GROUP BY ALL HAVING SUM(LEAST(cs.e, r.e) - GREATEST(cs.s, r.s)) > $min_overlap
), dwell AS (
  SELECT r.person_id, r.cell_id, c.person_id AS case_id,
         SUM(LEAST(r.e, c.lb_hi) - GREATEST(r.s, c.lb_lo)) AS dwell_s
  FROM raw r JOIN (SELECT DISTINCT case_id, cell_id FROM overlapping) k ON k.cell_id = r.cell_id
  JOIN cases c ON c.person_id = k.case_id
  WHERE r.s < c.lb_hi AND r.e > c.lb_lo
  GROUP BY ALL
)
SELECT o.case_id, o.companion_id, o.cell_id, o.overlap_s
FROM overlapping o
JOIN dwell dc ON dc.case_id = o.case_id AND dc.cell_id = o.cell_id AND dc.person_id = o.case_id
JOIN dwell dp ON dp.case_id = o.case_id AND dp.cell_id = o.cell_id
     AND dp.person_id = o.companion_id
WHERE dc.dwell_s >= $dwell OR dp.dwell_s >= $dwell
ORDER BY 1, 2, 3
"""


def naive_companions(stays_dir: Path, cases: pa.Table, threads: int) -> pa.Table:
    """What one writes first: a join of the cases' stays against every stay."""
    rule = load_protocol().companion
    plan = plan_cases(cases, rule).table
    lb_lo = plan.column("lb_first").to_numpy().astype(np.int64) * DAY_S - LOCAL_OFFSET_S
    lb_hi = (plan.column("lb_last").to_numpy().astype(np.int64) + 1) * DAY_S - LOCAL_OFFSET_S
    case_rows = (
        plan.select(["person_id", "ws", "we"])
        .append_column("lb_lo", pa.array(lb_lo))
        .append_column("lb_hi", pa.array(lb_hi))
    )
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {int(threads)}")
    con.register("cases", case_rows)
    files = [str(f) for fs in input_days(stays_dir).values() for f in fs]
    return con.execute(
        NAIVE_SQL, {"files": files, "min_overlap": rule.min_overlap_s, "dwell": rule.dwell_s}
    ).fetchall()


# -- a region of the city around the cases --------------------------------------------
def case_cells(store: Store, cases: pa.Table) -> list[int]:
    """Every cell the cases were in over their lookback (their whole footprint)."""
    rule = load_protocol().companion
    plan = plan_cases(cases, rule).table
    days = set()
    first, last = plan.column("lb_first").to_pylist(), plan.column("lb_last").to_pylist()
    for a, b in zip(first, last, strict=True):
        days.update(range(a, b + 1))
    files = store.files("person_cells", [day_no_to_date(d) for d in days])
    ids = plan.column("person_id").to_pylist()
    con = duckdb.connect(":memory:")
    rows = con.execute(
        "SELECT DISTINCT cell_id FROM read_parquet($files) WHERE list_contains($ids, person_id)",
        {"files": [str(f) for f in files], "ids": ids},
    ).fetchall()
    con.close()
    return sorted(r[0] for r in rows)


def choose_region(store: Store, seeds: list[int], fraction: float) -> list[int]:
    """The cells nearest ``seeds`` (all of them first) until ``fraction`` of all stays."""
    con = duckdb.connect(":memory:")
    files = [str(f) for f in store.files("stays", store.days())]
    counts = con.execute(
        "SELECT cell_id, count(*) FROM read_parquet($files) GROUP BY cell_id ORDER BY cell_id",
        {"files": files},
    ).fetchnumpy()
    con.close()
    cell = counts["cell_id"].astype(np.int64)
    n = counts["count_star()"].astype(np.int64)
    cols = ZHANGZHOU.n_cols
    row, col = np.divmod(cell, cols)
    seed_row, seed_col = np.divmod(np.asarray(seeds, dtype=np.int64), cols)
    # Distance in cells to the nearest seed cell; seeds are at 0 and come first.
    dist = np.min(
        np.hypot(row[:, None] - seed_row[None, :], col[:, None] - seed_col[None, :]), axis=1
    )
    order = np.lexsort((cell, dist))
    target = fraction * n.sum()
    taken = np.searchsorted(np.cumsum(n[order]), target) + 1
    taken = max(taken, int(np.count_nonzero(dist == 0)))
    return sorted(cell[order[:taken]].tolist())


def region_city(base: Path, stays_dir: Path, cells: list[int], out: TextIO) -> Path:
    """The input stays of ``cells`` only, laid out like the city's; reused when there."""
    key = hashlib.sha256(",".join(map(str, cells)).encode()).hexdigest()[:12]
    region = base / f"region-{key}"
    marker = region / "region.json"
    if marker.exists():
        return region
    shutil.rmtree(region, ignore_errors=True)
    con = duckdb.connect(":memory:")
    con.execute("SET preserve_insertion_order = true")
    con.register("region_cells", pa.table({"cell_id": pa.array(cells, pa.int32())}))
    for date, files in input_days(stays_dir).items():
        folder = region / "stays" / f"day={date.isoformat()}"
        folder.mkdir(parents=True)
        target = str(folder / "part-0000.parquet").replace("'", "''")
        con.execute(
            "COPY (SELECT * FROM read_parquet($files) WHERE cell_id IN "
            f"(SELECT cell_id FROM region_cells)) TO '{target}' "
            "(FORMAT parquet, COMPRESSION zstd)",
            {"files": [str(f) for f in files]},
        )
        _say(out, f"  region {date}: written")
    con.close()
    marker.write_text(json.dumps({"cells": len(cells)}))
    return region


# -- the run -------------------------------------------------------------------------
def _timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def ingest(stays_dir: Path, store: Store, options: dict, out: TextIO, label: str):
    """Ingest a stays folder into a fresh store; return the report."""
    shutil.rmtree(store.root, ignore_errors=True)
    _say(out, f"{label}: ingesting {stays_dir}")
    report = ingest_stays(
        stays_dir,
        store,
        load_protocol().companion,
        threads=options["threads"],
        memory_limit="12GB",
        progress=lambda d: _say(
            out, f"  {d.day}: {d.rows:,} rows → {d.stays:,} stays in {d.seconds:.1f}s"
        ),
    )
    windows = sum(w.seconds for w in report.windows)
    _say(
        out,
        f"ingested {report.rows:,} stays in {report.seconds:.1f}s "
        f"({report.rows / report.seconds:,.0f}/s, of which {windows:.1f}s building "
        f"{len(report.windows)} windows), kept {report.stays:,} merged stays; "
        f"rejects {report.rejects}",
    )
    return report


def reuse(store: Store, options: dict, out: TextIO, label: str) -> int:
    """An ingested store as it is, its windows brought up to date; return its stays."""
    con = connect(options["threads"], "12GB")
    try:
        built = refresh_windows(con, store, load_protocol().companion.lookback_days)
    finally:
        con.close()
    rows = sum(v["rows"] for v in store.manifest()["days"].values())
    _say(out, f"{label}: reusing store, {rows:,} stays; {len(built)} window(s) rebuilt")
    return rows


def prepare(
    people: int,
    seed: int,
    options: dict,
    out: TextIO,
    *,
    measure: bool,
) -> tuple[Path, Store, float | None, int]:
    base = Path(options["data_dir"]) / f"people-{people}-seed-{seed}"
    used = generate_city(people, seed, base / "city", options["generator"], out)
    stays_dir = base / "city" / "stays"
    store = Store(base / "store")
    rate = None
    if store.manifest_path.exists() and (options["reuse_store"] or not measure):
        rows = reuse(store, options, out, f"city {people:,} ({used})")
        return stays_dir, store, rate, rows
    report = ingest(stays_dir, store, options, out, f"city {people:,} ({used})")
    rate = report.rows / report.seconds
    return stays_dir, store, rate, report.rows


def run(options: dict, out: TextIO) -> dict:
    people, seed = int(options["people"]), int(options["seed"])
    rule = load_protocol().companion
    stays_dir, store, rate, rows = prepare(people, seed, options, out, measure=True)
    cases300 = choose_cases(store, seed, 300)
    cases3 = cases300.slice(0, 3)
    figures: dict[str, object] = {
        "bench": "companions",
        "people": people,
        "stays": rows,
        "ingest_stays_per_s": round(rate) if rate else None,
    }
    with get_backend("duckdb", threads=options["threads"]) as backend:
        find_companions(store, cases3, rule, backend)  # warm the file cache and the engine
        for label, cases in (("3", cases3), ("300", cases300)):
            _engine_and_naive(store, stays_dir, label, cases, rule, backend, options, figures, out)
        # A ratio of two medians is noisier than either: twice the rounds, at least 10.
        rounds = max(10, 2 * options["repeat"])
        city_s, region_s = _region(
            store, stays_dir, cases3, rule, backend, rounds, options, figures, out
        )
        density = _density(store, cases3, rule, backend, rounds, options, figures, out)
    figures["speedup_3_cases"] = round(figures["naive_3_cases_s"] / figures["engine_3_cases_s"], 1)
    # The same query, the same answer, timed in turns with the city's.
    figures["slowdown_at_10x_data"] = round(city_s / region_s, 2)
    figures.update(density)
    return figures


def _engine_and_naive(
    store, stays_dir, label: str, cases, rule, backend, options: dict, figures: dict, out: TextIO
) -> None:
    """The engine and the naive query for ``cases``: their times, and whether
    they give the same (case, companion, cell, overlap) rows."""
    seconds, result = _timed(
        lambda c=cases: find_companions(store, c, rule, backend), options["repeat"]
    )
    figures[f"engine_{label}_cases_s"] = round(seconds, 4)
    figures[f"rows_{label}_cases"] = result.num_rows
    _say(
        out,
        f"engine, {label} cases: {seconds:.3f}s, {result.num_rows:,} (case, companion, cell) rows",
    )
    n_seconds, naive = _timed(
        lambda c=cases: naive_companions(stays_dir, c, options["threads"]),
        options["naive_repeat"],
    )
    figures[f"naive_{label}_cases_s"] = round(n_seconds, 3)
    same = [tuple(r) for r in naive] == [
        (r["case_person_id"], r["companion_person_id"], r["cell_id"], r["overlap_s"])
        for r in result.select(
            ["case_person_id", "companion_person_id", "cell_id", "overlap_s"]
        ).to_pylist()
    ]
    _say(
        out,
        f"naive, {label} cases: {n_seconds:.3f}s, {len(naive):,} rows, "
        f"{'the same' if same else 'DIFFERENT'} (case, companion, cell, overlap)",
    )


def _region(
    store, stays_dir, cases3, rule, backend, rounds: int, options: dict, figures: dict, out
) -> tuple[float, float]:
    """The footprint held fixed: the same 3 cases in a region a tenth of the
    city, timed in turns with the whole city; (city seconds, region seconds)."""
    people, seed = int(options["people"]), int(options["seed"])
    rows = figures["stays"]
    seeds = case_cells(store, cases3)
    cells = choose_region(store, seeds, options["region_fraction"])
    base = Path(options["data_dir"]) / f"people-{people}-seed-{seed}"
    region = region_city(base, stays_dir, cells, out)
    region_store = Store(region / "store")
    label = f"region of {len(cells)} cells"
    if region_store.manifest_path.exists() and options["reuse_store"]:
        region_rows = reuse(region_store, options, out, label)
    else:
        region_rows = ingest(region / "stays", region_store, options, out, label).rows
    # The two stores take turns, so that both see the same load on a shared machine.
    find_companions(region_store, cases3, rule, backend)
    paired: dict[str, list[float]] = {"city": [], "region": []}
    results = {}
    for _ in range(rounds):
        for name, where in (("city", store), ("region", region_store)):
            started = time.perf_counter()
            results[name] = find_companions(where, cases3, rule, backend)
            paired[name].append(time.perf_counter() - started)
    region_s, city_s = statistics.median(paired["region"]), statistics.median(paired["city"])
    region_result = results["region"]
    same_region = region_result.equals(results["city"])
    _say(
        out,
        f"engine, the same 3 cases in a region of {len(cells):,} cells and "
        f"{region_rows:,} stays ({region_rows / rows:.1%} of the city): {region_s:.3f}s, "
        f"{region_result.num_rows:,} rows, {'the same' if same_region else 'DIFFERENT'}",
    )
    figures["region_stays"] = region_rows
    figures["region_cells"] = len(cells)
    figures["region_same_rows"] = same_region
    figures["region_3_cases_s"] = round(region_s, 4)
    figures["city_3_cases_paired_s"] = round(city_s, 4)
    return city_s, region_s


def _density(
    store, cases3, rule, backend, rounds: int, options: dict, figures: dict, out: TextIO
) -> dict[str, object]:
    """The same query in a city a tenth the size, timed in turns with the city's.

    The synthetic city keeps its geography as it grows, so a case's cells hold
    ten times the people in the city ten times larger: the footprint grows with
    the city. The cost per (case, companion, cell) row found separates the two.
    """
    people, seed = int(options["people"]), int(options["seed"])
    small_people = options["small_people"] or max(1, people // 10)
    _, small_store, _, _ = prepare(small_people, seed, options, out, measure=False)
    # Chosen the same way as the 3 cases of the city: the first 3 of 300.
    small_cases = choose_cases(small_store, seed, 300).slice(0, 3)
    find_companions(small_store, small_cases, rule, backend)
    density: dict[str, list[float]] = {"city": [], "small": []}
    turns = (("city", store, cases3), ("small", small_store, small_cases))
    for _ in range(rounds):
        for name, where, cases in turns:
            started = time.perf_counter()
            found = find_companions(where, cases, rule, backend)
            density[name].append(time.perf_counter() - started)
            if name == "small":
                small_result = found
    small_s = statistics.median(density["small"])
    density_city_s = statistics.median(density["city"])
    _say(
        out,
        f"engine, 3 cases in the city of {small_people:,}: {small_s:.3f}s, "
        f"{small_result.num_rows:,} (case, companion, cell) rows",
    )
    return {
        "density_people": small_people,
        "density_rows_3_cases": small_result.num_rows,
        "density_3_cases_s": round(small_s, 4),
        "slowdown_at_10x_density": round(density_city_s / small_s, 2),
        "slowdown_per_row_at_10x_density": round(
            (density_city_s / max(1, figures["rows_3_cases"]))
            / (small_s / max(1, small_result.num_rows)),
            2,
        ),
    }
