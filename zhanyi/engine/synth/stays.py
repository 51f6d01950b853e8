"""Stays (驻留): where every person's phone is, day by day, on the 800 m grid.

Each person has a persona (home, school or work, commute cells, the market,
shop, restaurant, county town and relatives they visit, habits). Each local day
turns it into a schedule of up to 12 segments (home, commute, school or work,
lunch, errands, an evening out; or, for people at home and at weekends, a
morning market, an afternoon outing and an evening out), then cuts the
segments into telecom-style presence records: a new record whenever the cell
changes and at the phone's periodic location update (every 60-120 minutes, its
own phase, ticking on across midnight), with occasional handovers to a
neighbouring cell. Consecutive records may share a cell; ingest merges them.

Work runs per (local day, chunk of people), vectorised with numpy, each with
its own random stream, so the bytes do not depend on the number of workers.
Files: ``stays/day=YYYY-MM-DD/part-NNNN.parquet`` (NNNN = chunk), rows sorted
by person and start, with exactly ``zhanyi.engine.schema.STAYS``. Parquet has
no seconds unit, so the times are stored as milliseconds and the file carries
the Arrow schema; ``read_stays`` (or ``schema=STAYS`` in pyarrow, or DuckDB's
``epoch()``) gives back seconds.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from zhanyi.engine.grid import ZHANGZHOU
from zhanyi.engine.schema import STAYS, TS
from zhanyi.engine.synth.config import STAGE_STAYS

DAY = 86_400
#: Asia/Shanghai has had no daylight saving since 1991: UTC+8 all year.
LOCAL_OFFSET = 8 * 3600

# Persona columns (int32 each).
P_HOME, P_DAY, P_C1, P_C2, P_MARKET, P_SHOP, P_EAT, P_TOWN, P_KIN, P_LUNCH = range(10)
P_ROLE, P_FLAGS, P_LEAVE, P_PERIOD, P_PHASE = range(10, 15)
N_PERSONA = 15
ROLE_HOME, ROLE_STUDENT, ROLE_WORKER = 0, 1, 2
F_SATURDAY, F_SUNDAY, F_ELDERLY, F_INFANT = 1, 2, 4, 8

#: Parquet settings: delta encoding suits sorted ids and times, dictionaries
#: suit the few cells one chunk of neighbours visits; no extra compression,
#: which would cost more time than the bytes it saves.
WRITE_OPTIONS = {
    "compression": "none",
    "use_dictionary": ["cell_id"],
    "column_encoding": {
        "person_id": "DELTA_BINARY_PACKED",
        "start": "DELTA_BINARY_PACKED",
        "end": "DELTA_BINARY_PACKED",
    },
    "row_group_size": 1 << 20,
    "write_statistics": True,
}


def read_stays(path: Path | str, days: list[dt.date] | None = None) -> pa.Table:
    """Stays under a ``stays`` folder (or one file), with exactly ``STAYS``."""
    import pyarrow.dataset as ds

    path = Path(path)
    if path.is_dir() and days is not None:
        files = [
            str(f) for d in days for f in sorted((path / f"day={d.isoformat()}").glob("*.parquet"))
        ]
        return ds.dataset(files, schema=STAYS, format="parquet").to_table()
    return ds.dataset(path, schema=STAYS, format="parquet").to_table()


def local_midnight_utc(day: dt.date) -> int:
    """Epoch seconds of a local day's start."""
    return (day - dt.date(1970, 1, 1)).days * DAY - LOCAL_OFFSET


_HOUR = 3600.0


def day_schedule(
    persona: np.ndarray, day: dt.date, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Segment boundaries (P, 13) in local seconds and cells (P, 12) for one day."""
    p = len(persona)
    role = persona[:, P_ROLE]
    flags = persona[:, P_FLAGS]
    wd = day.weekday()
    weekend = wd >= 5
    works_today = ~weekend | ((flags & (F_SATURDAY if wd == 5 else F_SUNDAY)) > 0)
    u = rng.random((p, 16))
    active = (((role == ROLE_STUDENT) & (not weekend)) | ((role == ROLE_WORKER) & works_today)) & (
        u[:, 0] > 0.03
    )
    evening_cell = np.where(
        u[:, 11] < 0.5,
        persona[:, P_EAT],
        np.where(u[:, 11] < 0.75, persona[:, P_KIN], persona[:, P_TOWN]),
    )
    b_act, c_act = _working_day(persona, u, evening_cell, rng)
    b_home, c_home = _day_at_home(persona, u, evening_cell, weekend, rng)

    home = persona[:, P_HOME]
    bounds = np.where(active[:, None], b_act, b_home)
    cells = np.where(active[:, None], c_act, c_home)
    bounds = np.clip(np.maximum.accumulate(bounds, axis=1), 0, DAY).astype(np.int64)
    bounds[:, -1] = DAY
    # A cell of -1 (no such place) means staying put at home.
    cells = np.where(cells >= 0, cells, home[:, None]).astype(np.int32)
    return bounds, cells


def _working_day(
    persona: np.ndarray, u: np.ndarray, evening_cell: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A school or work day: commute, lunch (out for some workers), the day's
    end, an errand and an evening out; boundaries (P, 13) and cells (P, 12)."""
    p = len(persona)
    role = persona[:, P_ROLE]
    home, dayc = persona[:, P_HOME], persona[:, P_DAY]
    c1, c2 = persona[:, P_C1], persona[:, P_C2]
    student = role == ROLE_STUDENT
    worker = role == ROLE_WORKER
    hr = _HOUR
    leave = persona[:, P_LEAVE] + rng.normal(0, 600, p)
    leave = np.clip(leave, 4.5 * hr, 11 * hr)
    dist = _cell_distance(home, np.where(dayc >= 0, dayc, home))
    commute = np.minimum(600 + dist * 0.12, 5400)
    arrive = leave + commute
    lunch_out = worker & (u[:, 1] < 0.35)
    lunch0 = 12 * hr + u[:, 2] * 1800
    lunch1 = lunch0 + np.where(lunch_out, 2700 + u[:, 3] * 1800, 0)
    day_end = np.where(
        student,
        16.5 * hr + u[:, 4] * 1.5 * hr,
        arrive + 8.5 * hr + rng.normal(0, 2700, p),
    )
    day_end = np.clip(day_end, lunch1, 22 * hr)
    back = day_end + commute
    errand = u[:, 5] < np.where(worker, 0.35, 0.12)
    err_cell = np.where(u[:, 6] < 0.5, persona[:, P_MARKET], persona[:, P_SHOP])
    err_end = back + np.where(errand, 1200 + u[:, 7] * 2400, 0)
    evening = u[:, 8] < np.where(worker, 0.18, 0.08)
    ev0 = np.maximum(err_end + 1800, 19 * hr + u[:, 9] * 1.5 * hr)
    ev1 = ev0 + np.where(evening, 3600 + u[:, 10] * 5400, 0)
    bounds = np.column_stack(
        [
            np.zeros(p),
            leave,
            leave + commute / 2,
            arrive,
            lunch0,
            lunch1,
            day_end,
            day_end + commute / 2,
            back,
            err_end,
            ev0,
            ev1,
            np.full(p, DAY),
        ]
    )
    lunch_cell = np.where(lunch_out, persona[:, P_LUNCH], dayc)
    cells = np.column_stack(
        [
            home,
            c1,
            c2,
            dayc,
            lunch_cell,
            dayc,
            c2,
            c1,
            np.where(errand, err_cell, home),
            home,
            np.where(evening, evening_cell, home),
            home,
        ]
    )
    return bounds, cells


def _day_at_home(
    persona: np.ndarray,
    u: np.ndarray,
    evening_cell: np.ndarray,
    weekend: bool,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """A day at home (or a weekend): the market, an outing, an evening out;
    boundaries (P, 13) and cells (P, 12), the unused segments empty at home."""
    p = len(persona)
    flags = persona[:, P_FLAGS]
    home = persona[:, P_HOME]
    hr = _HOUR
    elderly = (flags & F_ELDERLY) > 0
    infant = (flags & F_INFANT) > 0
    o1 = u[:, 12] < np.where(elderly, 0.65, np.where(infant, 0.3, 0.5 if weekend else 0.35))
    o1_s = np.where(elderly, 6 * hr + u[:, 13] * 2 * hr, 8.5 * hr + u[:, 13] * 2.5 * hr)
    o1_e = o1_s + np.where(o1, 2400 + u[:, 14] * 4800, 0)
    o1_cell = np.where(elderly | (u[:, 14] < 0.5), persona[:, P_MARKET], persona[:, P_SHOP])
    u2 = rng.random((p, 6))
    o2 = u2[:, 0] < (0.6 if weekend else 0.3) * np.where(infant, 0.5, 1.0)
    o2_s = np.maximum(o1_e + 1800, 14 * hr + u2[:, 1] * 2.5 * hr)
    o2_e = o2_s + np.where(o2, 1.5 * hr + u2[:, 2] * 2.5 * hr, 0)
    o2_cell = np.where(
        u2[:, 3] < 0.3,
        persona[:, P_SHOP],
        np.where(u2[:, 3] < 0.65, persona[:, P_TOWN], persona[:, P_KIN]),
    )
    ev = u2[:, 4] < (0.22 if weekend else 0.12)
    e_s = np.maximum(o2_e + 1800, 18.5 * hr + u2[:, 5] * 2 * hr)
    e_e = e_s + np.where(ev, 3600 + u[:, 15] * 5400, 0)
    full = np.full(p, DAY, dtype=np.float64)
    bounds = np.column_stack([np.zeros(p), o1_s, o1_e, o2_s, o2_e, e_s, e_e] + [full] * 6)
    cells = np.column_stack(
        [
            home,
            np.where(o1, o1_cell, home),
            home,
            np.where(o2, o2_cell, home),
            home,
            np.where(ev, evening_cell, home),
        ]
        + [home] * 6
    )
    return bounds, cells


def cut_records(
    bounds: np.ndarray, period: np.ndarray, phase: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut segments at each phone's periodic updates.

    Returns, per record, its segment (flat index into the (P, 12) schedule)
    and its start and end in local seconds. Day times fit in int32, which
    numpy divides much faster than int64.
    """
    k1 = bounds.shape[1]
    k = k1 - 1
    a_all = bounds[:, :-1].astype(np.int32).ravel()
    b_all = bounds[:, 1:].astype(np.int32).ravel()
    live = np.flatnonzero(b_all > a_all).astype(np.int32)  # empty segments: no record
    a, b = a_all[live], b_all[live]
    person = live // k
    t = period.astype(np.int32)[person]
    f = phase.astype(np.int32)[person]
    m_lo = (a - f) // t + 1  # first update strictly after a
    m_hi = -((f - b) // t) - 1  # last update strictly before b
    pieces = np.maximum(m_hi - m_lo + 1, 0) + 1
    first_tick = f + m_lo * t
    rec_seg = np.repeat(np.arange(len(live), dtype=np.int32), pieces)
    first = np.cumsum(pieces) - pieces
    j = np.arange(len(rec_seg), dtype=np.int32) - np.repeat(first.astype(np.int32), pieces)
    # A record ends at the next update, or where its segment ends.
    end = first_tick[rec_seg] + j * t[rec_seg]
    last = np.cumsum(pieces) - 1
    end[last] = b
    # Records tile the day, so each starts where the previous one ended.
    start = np.empty_like(end)
    start[1:] = end[:-1]
    start[first] = a
    return live[rec_seg], start, end


def handovers(
    cells: np.ndarray,
    base: np.ndarray,
    rate: np.ndarray,
    land: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Move some records to a neighbouring land cell, as phones hop between towers."""
    n_cols = ZHANGZHOU.n_cols
    n = len(cells)
    hop = rng.random(n, dtype=np.float32) < rate
    idx = np.flatnonzero(hop)
    if len(idx) == 0:
        return cells
    k = rng.integers(0, 8, len(idx))
    dr = np.array([-1, -1, -1, 0, 0, 1, 1, 1])[k]
    dc = np.array([-1, 0, 1, -1, 1, -1, 0, 1])[k]
    row, col = np.divmod(base[idx].astype(np.int64), n_cols)
    nr, nc = row + dr, col + dc
    ok = (nr >= 0) & (nr < ZHANGZHOU.n_rows) & (nc >= 0) & (nc < n_cols)
    cand = np.where(ok, nr * n_cols + nc, 0)
    ok &= land[cand]
    out = cells.copy()
    out[idx[ok]] = cand[ok].astype(np.int32)
    return out


def day_chunk(
    persona: np.ndarray,
    first_person_id: int,
    day: dt.date,
    chunk: int,
    seed: int,
    land: np.ndarray,
) -> pa.Table:
    """All stays of one chunk of people on one local day."""
    rng = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence([seed, STAGE_STAYS, day.toordinal(), chunk]))
    )
    bounds, cells = day_schedule(persona, day, rng)
    # Updates tick on from one day to the next: shift the phase by whole days.
    period = persona[:, P_PERIOD].astype(np.int64)
    phase = (persona[:, P_PHASE].astype(np.int64) - day.toordinal() * DAY) % period
    seg, start, end = cut_records(bounds, period, phase)
    k = cells.shape[1]
    flat = cells.ravel()
    home = np.repeat(persona[:, P_HOME], k)
    dayc = np.repeat(persona[:, P_DAY], k)
    # Phones at home or at work hop to a neighbouring tower now and then.
    seg_rate = np.where(flat == home, 0.07, np.where(flat == dayc, 0.04, 0.0)).astype(np.float32)
    cell = handovers(flat[seg], flat[seg], seg_rate[seg], land, rng)
    person = seg // k
    t0 = local_midnight_utc(day)
    return pa.Table.from_arrays(
        [
            pa.array(np.add(person, first_person_id, dtype=np.int64), pa.int64()),
            pa.array(cell, pa.int32()),
            pa.array(np.add(start, t0, dtype=np.int64), TS),
            pa.array(np.add(end, t0, dtype=np.int64), TS),
        ],
        schema=STAYS,
    )


def _cell_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ra, ca = np.divmod(a.astype(np.int64), ZHANGZHOU.n_cols)
    rb, cb = np.divmod(b.astype(np.int64), ZHANGZHOU.n_cols)
    return np.hypot(ra - rb, ca - cb) * ZHANGZHOU.cell_m


# ---- running the tasks ----------------------------------------------------

_WORKER: dict[str, object] = {}


def _init(persona_path: str, land_path: str, seed: int, out_dir: str) -> None:
    _WORKER["persona"] = np.load(persona_path, mmap_mode="r")
    _WORKER["land"] = np.load(land_path)
    _WORKER["seed"] = seed
    _WORKER["out"] = Path(out_dir)


def _task(args: tuple[int, int, int, int]) -> tuple[int, int, int]:
    """Write one file; returns (day ordinal, chunk, rows)."""
    ordinal, chunk, lo, hi = args
    day = dt.date.fromordinal(ordinal)
    persona = np.ascontiguousarray(_WORKER["persona"][lo:hi])  # type: ignore[index]
    table = day_chunk(persona, lo + 1, day, chunk, _WORKER["seed"], _WORKER["land"])  # type: ignore[arg-type]
    folder = _WORKER["out"] / f"day={day.isoformat()}"  # type: ignore[operator]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"part-{chunk:04d}.parquet"
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp, **WRITE_OPTIONS)
    os.replace(tmp, path)
    return ordinal, chunk, table.num_rows


def write_stays(
    persona_path: Path,
    land_path: Path,
    out_dir: Path,
    seed: int,
    days: list[dt.date],
    n_people: int,
    chunk_people: int,
    workers: int,
    on_done: Callable[[int], object] | None = None,  # told each file's stays; its result is unused
) -> int:
    """Generate and write every (day, chunk) file; returns the number of stays."""
    tasks = [
        (d.toordinal(), c, lo, min(lo + chunk_people, n_people))
        for d in days
        for c, lo in enumerate(range(0, n_people, chunk_people))
    ]
    total = 0
    args = (str(persona_path), str(land_path), seed, str(out_dir))
    for _ordinal, _chunk, rows in _run(tasks, args, workers):
        total += rows
        if on_done:
            on_done(rows)
    return total


def _run(tasks: list, init_args: tuple, workers: int) -> Iterator[tuple[int, int, int]]:
    if workers <= 1:
        _init(*init_args)
        for t in tasks:
            yield _task(t)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # Spawned workers are children of this process, so RUSAGE_CHILDREN sees
    # them; unlike multiprocessing.Pool, a worker that dies breaks the pool
    # with an error instead of being replaced forever.
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_init, initargs=init_args
    ) as pool:
        futures = [pool.submit(_task, t) for t in tasks]
        try:
            for fut in as_completed(futures):
                yield fut.result()
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise
