"""Small generated data for the companion tests (and a fallback for quick trials).

``random_stays`` makes a tiny town: people with a home cell and a few other
cells, days of back-to-back stays on a 5-minute clock (so exact thresholds
happen often), same-cell runs that ingest must merge, gaps, and stays that
run past local midnight. ``write_stays`` lays rows out like ``zhanyi synth``
does: ``day=YYYY-MM-DD/part-0000.parquet``, by the local day a stay starts on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from zhanyi.engine.companions.store import DAY_S, LOCAL_OFFSET_S, date_to_day_no, day_no_to_date
from zhanyi.engine.schema import STAYS

FIRST_DAY = dt.date(2021, 9, 3)


def local_s(day: dt.date, hh: int = 0, mm: int = 0, ss: int = 0) -> int:
    """Epoch seconds of a local (Asia/Shanghai) wall-clock time."""
    return date_to_day_no(day) * DAY_S - LOCAL_OFFSET_S + hh * 3600 + mm * 60 + ss


def start_day_no(start_s: int) -> int:
    return (start_s + LOCAL_OFFSET_S) // DAY_S


def write_stays(rows: Iterable[tuple], out_dir: Path, *, src_days: bool = False) -> Path:
    """Write stays ``(person, cell, start_s, end_s)`` by the day they start on.

    With ``src_days``, rows are ``(src_day_no, person, cell, start_s, end_s)``
    and go to that day's folder whatever their times (to test ``outside_day``).
    Rows may hold ``None`` (written as nulls) to test ``missing``.
    """
    by_day: dict[int, list] = defaultdict(list)
    for row in rows:
        if src_days:
            by_day[row[0]].append(row[1:])
        else:
            by_day[start_day_no(row[2])].append(row)
    schema = pa.schema([f.with_nullable(True) for f in STAYS])
    for day_no, day_rows in sorted(by_day.items()):
        folder = Path(out_dir) / f"day={day_no_to_date(day_no).isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        cols = list(zip(*day_rows, strict=True))
        table = pa.table(
            {
                "person_id": pa.array(cols[0], pa.int64()),
                "cell_id": pa.array(cols[1], pa.int32()),
                "start": pa.array(cols[2], pa.int64())
                .cast(pa.timestamp("s"))
                .cast(STAYS.field("start").type),
                "end": pa.array(cols[3], pa.int64())
                .cast(pa.timestamp("s"))
                .cast(STAYS.field("end").type),
            },
            schema=schema,
        )
        pq.write_table(table, folder / "part-0000.parquet")
    return Path(out_dir)


def random_stays(
    seed: int, people: int = 40, cells: int = 12, days: int = 6, first_day: dt.date = FIRST_DAY
) -> list[tuple[int, int, int, int]]:
    """Stays of a tiny town on a 5-minute clock, ``(person, cell, start_s, end_s)``."""
    rng = np.random.default_rng(seed)
    rows = []
    step = 300
    for person in range(1, people + 1):
        home = int(rng.integers(0, cells))
        places = [home, *(int(c) for c in rng.integers(0, cells, size=3))]
        for d in range(days):
            t = local_s(first_day + dt.timedelta(days=d)) + step * int(rng.integers(0, 6))
            day_end = local_s(first_day + dt.timedelta(days=d + 1))
            while t < day_end:
                length = step * int(rng.integers(1, 30))
                cell = home if rng.random() < 0.5 else places[int(rng.integers(0, 4))]
                end = t + length
                if end > day_end and rng.random() < 0.7:
                    end = day_end  # most stop at midnight; the rest run past it
                rows.append((person, cell, t, end))
                # Mostly back to back, sometimes a gap (phone off, tunnel, …).
                t = end + (step * int(rng.integers(1, 4)) if rng.random() < 0.2 else 0)
                if end >= day_end:
                    break
    return rows


def cases_for(
    rows: list[tuple[int, int, int, int]],
    seed: int,
    n: int = 4,
) -> list[tuple[int, int, int]]:
    """A few cases with windows that start and end mid-stay: ``(person, ws_s, we_s)``."""
    rng = np.random.default_rng(seed + 1000)
    people = sorted({r[0] for r in rows})
    starts = [r[2] for r in rows]
    lo, hi = min(starts), max(starts)
    chosen = rng.choice(people, size=min(n, len(people)), replace=False)
    out = []
    for person in sorted(int(p) for p in chosen):
        ws = int(rng.integers(lo, hi))
        we = ws + int(rng.integers(3600, 4 * DAY_S))
        out.append((person, ws - ws % 60 + 7, we - we % 60 + 13))
    return out


def cases_table(cases: Iterable[tuple[int, int, int]]) -> pa.Table:
    """The ``CASES`` table from ``(person, window_start_s, window_end_s)``."""
    from zhanyi.engine.companions.query import CASES

    cases = list(cases)
    cols: list[Sequence[int]] = list(zip(*cases, strict=True)) if cases else [[], [], []]
    ts = pa.timestamp("s")
    return pa.table(
        {
            "person_id": pa.array(cols[0], pa.int64()),
            "window_start": pa.array(cols[1], pa.int64())
            .cast(ts)
            .cast(CASES.field("window_start").type),
            "window_end": pa.array(cols[2], pa.int64())
            .cast(ts)
            .cast(CASES.field("window_end").type),
        },
        schema=CASES,
    )


def as_tuples(result: pa.Table) -> list[tuple]:
    """Engine output in the reference's shape, for comparison."""
    out = []
    for row in result.to_pylist():
        periods = tuple(
            (int(p["start"].timestamp()), int(p["end"].timestamp())) for p in row["periods"]
        )
        out.append(
            (
                row["case_person_id"],
                row["companion_person_id"],
                row["cell_id"],
                row["overlap_s"],
                periods,
                row["case_dwell_s"],
                row["companion_dwell_s"],
            )
        )
    return out
