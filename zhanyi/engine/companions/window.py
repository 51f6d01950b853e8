"""Windows: the lookback's dwell, compacted once, for the 30-hour rule and the case index.

The query needs, for each case, its cells and its days there over the
lookback (``lookback_days`` local days ending with the day the case's window
ends), and for everyone met in those cells their total dwell over the same
days. Summing fourteen daily ``dwell`` files for every query reads each
cell's rows fourteen times over, in fourteen files. A window does it once
per end day: one row per (person, cell) with the total seconds and a bit per
day present (``STORE_WINDOW``), written twice, clustered by cell (for the
dwell of the people in a few cells) and by person (for the cases' cells and
days), with small row groups so that a query reads only what it asks for.

A window is valid for exactly the day builds it was summed from: it records
each day's build id from the manifest, and ``valid_window`` refuses it the
moment a day in its range is re-ingested, purged or added. The query then
falls back to the daily files, which give the same answer more slowly, so a
stale window can cost time but never change a result. Ingest keeps the
windows of the most recent days (a parameter, by default 3: current cases
are isolated within days), and ``purge`` removes windows that reach past
the retention period.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from dataclasses import dataclass

import duckdb

from zhanyi.engine.companions.store import (
    MAX_WINDOW_DAYS,
    ROW_GROUP_WINDOW,
    WINDOW_FILES,
    Store,
    date_to_day_no,
    parse_day,
)

#: Windows kept by default: those ending on the most recent days of the store.
DEFAULT_WINDOWS = 3


@dataclass
class WindowReport:
    end: dt.date
    rows: int
    seconds: float


def _sql_str(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def day_builds(manifest: dict, end: dt.date, lookback_days: int) -> dict[str, str]:
    """The build id of each ingested day in the lookback ending ``end``."""
    out = {}
    for back in range(int(lookback_days)):
        key = (end - dt.timedelta(days=back)).isoformat()
        entry = manifest["days"].get(key)
        if entry is not None:
            out[key] = str(entry.get("build") or entry.get("ingested_at"))
    return out


def valid_window(store: Store, end: dt.date, lookback_days: int, manifest: dict) -> bool:
    """Whether the window ending ``end`` sums exactly the days now in the store."""
    meta = store.window_meta(end)
    if meta is None or meta.get("lookback_days") != int(lookback_days):
        return False
    if not all(store.window_file(end, name).exists() for name in WINDOW_FILES):
        return False
    return meta.get("days") == day_builds(manifest, end, lookback_days)


def build_window(
    con: duckdb.DuckDBPyConnection, store: Store, end: dt.date, lookback_days: int, manifest: dict
) -> WindowReport:
    """Write the window ending ``end`` from the daily dwell files, replacing any old one."""
    if not 1 <= int(lookback_days) <= MAX_WINDOW_DAYS:
        raise ValueError(f"a window covers 1 to {MAX_WINDOW_DAYS} days, not {lookback_days}")
    started = time.perf_counter()
    builds = day_builds(manifest, end, lookback_days)
    files = store.files("dwell", [parse_day(d) for d in builds])
    staging = store.root / "window" / f"_staging-end={end.isoformat()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    end_no = date_to_day_no(end)
    # One dwell row per (day, cell, person), so the bits summed are distinct.
    source = (
        f"SELECT cell_id, person_id, CAST(SUM(dwell_s) AS BIGINT) AS dwell_s, "
        f"CAST(SUM(CAST(1 AS BIGINT) << ({end_no} - day_no)) AS BIGINT) AS day_bits "
        f"FROM read_parquet($files) WHERE day_no BETWEEN {end_no - int(lookback_days) + 1} "
        f"AND {end_no} GROUP BY cell_id, person_id"
    )
    if files:
        params = {"files": [str(f) for f in files]}
        con.execute("CREATE OR REPLACE TEMP TABLE win AS " + source, params)
    else:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE win (cell_id INTEGER, person_id BIGINT, "
            "dwell_s BIGINT, day_bits BIGINT)"
        )
    rows = con.execute("SELECT count(*) FROM win").fetchall()[0][0]
    for name, order in (("cells", "cell_id, person_id"), ("persons", "person_id, cell_id")):
        con.execute(
            f"COPY (SELECT * FROM win ORDER BY {order}) "
            f"TO {_sql_str(staging / f'{name}.parquet')} "
            f"(FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP_WINDOW[name]}, COMPRESSION zstd)"
        )
    con.execute("DROP TABLE win")
    meta = {"end": end.isoformat(), "lookback_days": int(lookback_days), "days": builds}
    (staging / "window.json").write_text(json.dumps(meta, indent=2, sort_keys=True))
    target = store.window_dir(end)
    shutil.rmtree(target, ignore_errors=True)
    os.replace(staging, target)
    return WindowReport(end=end, rows=rows, seconds=time.perf_counter() - started)


def refresh_windows(
    con: duckdb.DuckDBPyConnection,
    store: Store,
    lookback_days: int,
    keep: int = DEFAULT_WINDOWS,
) -> list[WindowReport]:
    """Build the missing or stale windows of the ``keep`` latest days; drop all others."""
    manifest = store.manifest()
    days = sorted(parse_day(d) for d in manifest["days"])
    wanted = set(days[-int(keep) :]) if keep > 0 and lookback_days <= MAX_WINDOW_DAYS else set()
    for end in store.windows():
        if end not in wanted:
            store.remove_window(end)
    built = []
    for end in sorted(wanted):
        if not valid_window(store, end, lookback_days, manifest):
            built.append(build_window(con, store, end, lookback_days, manifest))
    return built
