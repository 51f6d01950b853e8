"""The companion query, defined once and run on any backend.

Definition (our reading of the Chengdu rule, November 2021). For a case ``c``
with exposure window ``[ws, we)`` and another person ``p``:

- The lookback is the ``lookback_days`` local days (Asia/Shanghai) ending with
  the day of the window's last second. Which part of it the overlap counts
  is the protocol's ``[companion] overlap_within``: ``"lookback"`` (the
  8th-edition file's reading of "within the last 14 days"), the whole
  lookback until the window's end; ``"exposure_window"``, only the case's
  window, clipped to start no earlier than the lookback. Each result row
  names the reading that gave it (``overlap_within``).
- For each cell ``k``, ``overlap(c, p, k)`` is the total time both were in
  ``k`` at once: the intersection of c's stays in ``k`` (clipped to the
  window) with p's stays in ``k``. Stays are half-open, so touching stays do
  not overlap.
- ``dwell(x, k)`` is x's total time in ``k`` over the whole lookback days
  (not clipped to the window).
- ``p`` is a companion (时空伴随者) via ``k`` when ``overlap > min_overlap``
  (strictly) and ``dwell(c, k) >= dwell_hours`` or ``dwell(p, k) >=
  dwell_hours``. Overlap is counted per cell, never summed across cells.

One result row per (case, companion, cell), sorted by those three, with the
evidence: the overlapping periods (touching ones joined), the total, both
dwell times and which party met the dwell rule. A person who is also a case
can be another case's companion; the case itself never is.

The query runs in three engine steps so that both engines read only what
they need, and one shared step:

1. the cases' cells and days, from the window of their lookback
   (``window.py``) or else the daily ``person_cells`` index (pruned by person);
2. the overlaps (``pieces``): per window day, the stays of only the cells a
   case was in that day (pruned by cell, through literal ``IN`` lists that
   Parquet row-group statistics can skip on), joined to the cases' own stays;
3. the lookback dwell of everyone in those cells, from the window or else
   summed from the daily ``dwell`` files (the same numbers, more slowly);
4. ``decide`` (numpy, the same for every backend): totals per (case,
   companion, cell), the 10-minute and 30-hour tests, periods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhanyi.engine.backends import Backend, LogicalQuery, ParquetFiles, get_backend
from zhanyi.engine.backends.dialect import Dialect
from zhanyi.engine.companions.store import (
    DAY_S,
    LOCAL_OFFSET_S,
    STORE_DWELL,
    STORE_STAYS,
    STORE_WINDOW,
    Store,
    day_no_to_date,
)
from zhanyi.engine.companions.window import valid_window
from zhanyi.engine.protocol import CompanionRule
from zhanyi.engine.schema import TS

#: The cases to search for: one row per case person.
CASES = pa.schema(
    [
        pa.field("person_id", pa.int64(), nullable=False),
        pa.field("window_start", TS, nullable=False),
        pa.field("window_end", TS, nullable=False),
    ]
)
PERIOD = pa.struct([pa.field("start", TS), pa.field("end", TS)])
#: One row per (case, companion, cell).
COMPANIONS = pa.schema(
    [
        pa.field("case_person_id", pa.int64()),
        pa.field("companion_person_id", pa.int64()),
        pa.field("cell_id", pa.int32()),
        pa.field("overlap_s", pa.int64()),
        pa.field("overlap_minutes", pa.float64()),
        pa.field("periods", pa.list_(PERIOD)),
        pa.field("case_dwell_s", pa.int64()),
        pa.field("companion_dwell_s", pa.int64()),
        pa.field("dwell_rule_met_by", pa.string()),
        # The reading of the rule that gave the row ([companion] overlap_within).
        pa.field("overlap_within", pa.string()),
    ]
)


@dataclass(frozen=True)
class CasePlan:
    """The cases in engine terms: integer seconds and day numbers."""

    table: pa.Table  # person_id, ws, we, wd_first, lb_first, lb_last

    @property
    def person_ids(self) -> list[int]:
        return self.table.column("person_id").to_pylist()

    def lookback_days(self) -> set[int]:
        return _day_ranges(self.table, "lb_first")


def _day_ranges(table: pa.Table, first: str) -> set[int]:
    days: set[int] = set()
    for a, b in zip(
        table.column(first).to_pylist(), table.column("lb_last").to_pylist(), strict=True
    ):
        days.update(range(a, b + 1))
    return days


def _epoch_s(column: pa.ChunkedArray) -> np.ndarray:
    return pc.cast(pc.cast(column, pa.timestamp("s", tz="UTC")), pa.int64()).to_numpy(
        zero_copy_only=False
    )


def plan_cases(cases: pa.Table, rule: CompanionRule) -> CasePlan:
    """Validate the cases and work out each one's clipped window and lookback days."""
    for name in CASES.names:
        if name not in cases.column_names:
            raise ValueError(f"cases need a {name!r} column")
        if cases.column(name).null_count:
            raise ValueError(f"cases: {name!r} has empty values")
    person = cases.column("person_id").to_numpy(zero_copy_only=False).astype(np.int64)
    if len(np.unique(person)) != len(person):
        raise ValueError("cases: a person is listed twice; give each case one window")
    ws = _epoch_s(cases.column("window_start"))
    we = _epoch_s(cases.column("window_end"))
    bad = np.nonzero(ws >= we)[0]
    if len(bad):
        raise ValueError(f"cases: window ends before it starts for person {int(person[bad[0]])}")
    lb_last = (we - 1 + LOCAL_OFFSET_S) // DAY_S
    lb_first = lb_last - rule.lookback_days + 1
    lookback_start = lb_first * DAY_S - LOCAL_OFFSET_S
    ws_clipped = (
        np.full_like(ws, 0) + lookback_start
        if rule.overlap_within == "lookback"
        else np.maximum(ws, lookback_start)
    )
    wd_first = (ws_clipped + LOCAL_OFFSET_S) // DAY_S
    table = pa.table(
        {
            "person_id": pa.array(person, pa.int64()),
            "ws": pa.array(ws_clipped, pa.int64()),
            "we": pa.array(we, pa.int64()),
            "wd_first": pa.array(wd_first, pa.int32()),
            "lb_first": pa.array(lb_first, pa.int32()),
            "lb_last": pa.array(lb_last, pa.int32()),
        }
    )
    return CasePlan(table.sort_by("person_id"))


def case_cells_query(
    dialect: Dialect, plan: CasePlan, windowed: dict[int, str], daily: bool
) -> LogicalQuery:
    """Each case's (cell, day) rows over its lookback, with the day's dwell.

    From the window ending on the case's last lookback day where it is valid
    (table ``windowed[end]``, rows carry the day bits and the lookback's
    dwell), else from the daily ``person_cells`` index (one row per day).
    Both are pruned by person id through literal ``IN`` lists.
    """
    table = plan.table
    ids = table.column("person_id").to_numpy()
    last = table.column("lb_last").to_numpy()
    parts = []
    for end, name in sorted(windowed.items()):
        parts.append(
            f"""
    SELECT person_id AS case_id, cell_id, CAST({int(end)} AS INTEGER) AS day_no,
           dwell_s, day_bits
    FROM {name} WHERE person_id IN {dialect.int_list(ids[last == end].tolist())}"""
        )
    if daily:
        rest = ids[~np.isin(last, list(windowed))].tolist()
        parts.append(
            f"""
    SELECT c.person_id AS case_id, p.cell_id, p.day_no, p.dwell_s,
           CAST(-1 AS BIGINT) AS day_bits
    FROM person_cells p JOIN cases c ON p.person_id = c.person_id
    WHERE p.person_id IN {dialect.int_list(rest)}
      AND p.day_no BETWEEN c.lb_first AND c.lb_last"""
        )
    return LogicalQuery(final="\n    UNION ALL".join(parts))


@dataclass(frozen=True)
class Footprint:
    """Where the cases were: their cells with their dwell, and the days in their windows."""

    cells: pa.Table  # case_id, cell_id, case_dwell_s: every cell of the lookback
    days: pa.Table  # case_id, cell_id, day_no: only days in the case's window


def footprint(raw: pa.Table, plan: CasePlan, lookback_days: int) -> Footprint:
    """``case_cells_query`` rows → ``Footprint``; window rows' day bits become days."""
    case, cell = _np(raw, "case_id"), _np(raw, "cell_id")
    day, dwell, bits = _np(raw, "day_no"), _np(raw, "dwell_s"), _np(raw, "day_bits")
    # Window rows (bits >= 0) name their end day and hold one bit per day back from it.
    win = bits >= 0
    shifts = np.arange(int(lookback_days), dtype=np.int64)
    present = ((bits[win, None] >> shifts[None, :]) & 1).astype(bool)
    rows, back = np.nonzero(present)
    case_d = np.concatenate([case[win][rows], case[~win]])
    cell_d = np.concatenate([cell[win][rows], cell[~win]])
    day_d = np.concatenate([day[win][rows] - back, day[~win]])
    # Dwell per (case, cell): window rows carry the lookback's total already.
    totals = (
        pa.table({"case_id": case, "cell_id": cell, "dwell_s": dwell})
        .group_by(["case_id", "cell_id"])
        .aggregate([("dwell_s", "sum")])
    )
    cells = pa.table(
        {
            "case_id": pa.array(_np(totals, "case_id"), pa.int64()),
            "cell_id": pa.array(_np(totals, "cell_id").astype(np.int32), pa.int32()),
            "case_dwell_s": pa.array(_np(totals, "dwell_s_sum"), pa.int64()),
        }
    )
    table = plan.table  # sorted by person_id
    person = _np(table, "person_id")
    first = _np(table, "wd_first")
    at = np.searchsorted(person, case_d)
    keep = day_d >= first[at] if len(case_d) else np.zeros(0, dtype=bool)
    days = pa.table(
        {
            "case_id": pa.array(case_d[keep], pa.int64()),
            "cell_id": pa.array(cell_d[keep].astype(np.int32), pa.int32()),
            "day_no": pa.array(day_d[keep].astype(np.int32), pa.int32()),
        }
    )
    return Footprint(cells=cells, days=days)


def _distinct(values: np.ndarray) -> list[int]:
    return np.unique(values).tolist()


def pieces_query(dialect: Dialect, where: Footprint, stays: dict[int, str]) -> LogicalQuery:
    """Every overlap of a case's stay (in its window) with another person's, in one cell.

    ``stays[day]`` names each window day's stays table; only the cells some
    case was in on that very day are read from it. Sorted by case,
    companion, cell and start, the order ``decide`` walks them in.
    """
    day_no = _np(where.days, "day_no")
    cell = _np(where.days, "cell_id")
    reads = [
        f"""
        SELECT CAST({int(d)} AS INTEGER) AS day_no, cell_id, person_id, start_s, end_s
        FROM {name} WHERE cell_id IN {dialect.int_list(_distinct(cell[day_no == d]))}"""
        for d, name in sorted(stays.items())
    ]
    steps = (
        ("cell_stays", "\n        UNION ALL".join(reads)),
        (
            "case_stays",
            """
        SELECT c.person_id AS case_id, s.cell_id, s.day_no,
               GREATEST(s.start_s, c.ws) AS start_s, LEAST(s.end_s, c.we) AS end_s
        FROM cell_stays s JOIN cases c ON s.person_id = c.person_id
        WHERE s.start_s < c.we AND s.end_s > c.ws""",
        ),
    )
    # Stays are cut at local midnight, so overlapping stays share a day: the
    # equality on day keeps the interval join small.
    final = """
    SELECT cs.case_id, o.person_id AS companion_id, cs.cell_id,
           GREATEST(cs.start_s, o.start_s) AS start_s, LEAST(cs.end_s, o.end_s) AS end_s
    FROM case_stays cs JOIN cell_stays o ON o.cell_id = cs.cell_id AND o.day_no = cs.day_no
    WHERE o.start_s < cs.end_s AND o.end_s > cs.start_s AND o.person_id <> cs.case_id
    ORDER BY cs.case_id, o.person_id, cs.cell_id, GREATEST(cs.start_s, o.start_s)"""
    return LogicalQuery(final=final, steps=steps, materialize=frozenset({"cell_stays"}))


def dwell_query(
    dialect: Dialect, plan: CasePlan, where: Footprint, windowed: dict[int, str]
) -> LogicalQuery:
    """Everyone's lookback dwell in the cases' cells, per lookback (by its last day).

    From the window ``windowed[end]`` (its ``cells`` file) for cases whose
    lookback ends on ``end``; the other cases' lookbacks are summed from the
    daily ``dwell`` table.
    """
    cell = _np(where.days, "cell_id")
    case_last = _lookback_last(plan, _np(where.days, "case_id"))
    parts = [
        f"""
    SELECT CAST({int(end)} AS INTEGER) AS lb_last, cell_id, person_id, dwell_s FROM {name}
    WHERE cell_id IN {dialect.int_list(_distinct(cell[case_last == end]))}"""
        for end, name in sorted(windowed.items())
    ]
    daily = ~np.isin(case_last, list(windowed))
    if daily.any():
        ends = dialect.int_list(_distinct(case_last[daily]))
        parts.append(
            f"""
    SELECT l.lb_last, d.cell_id, d.person_id, CAST(SUM(d.dwell_s) AS BIGINT) AS dwell_s
    FROM dwell d JOIN (SELECT DISTINCT lb_first, lb_last FROM cases
                       WHERE lb_last IN {ends}) l
         ON d.day_no BETWEEN l.lb_first AND l.lb_last
    WHERE d.cell_id IN {dialect.int_list(_distinct(cell[daily]))}
    GROUP BY l.lb_last, d.cell_id, d.person_id"""
        )
    return LogicalQuery(final="\n    UNION ALL".join(parts))


def _np(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).to_numpy(zero_copy_only=False).astype(np.int64)


def _lookback_last(plan: CasePlan, case_ids: np.ndarray) -> np.ndarray:
    """The last lookback day of each case in ``case_ids``."""
    person = _np(plan.table, "person_id")  # sorted by plan_cases
    return _np(plan.table, "lb_last")[np.searchsorted(person, case_ids)]


def _lookup(
    block: np.ndarray, key: np.ndarray, value: np.ndarray, q_block: np.ndarray, q_key: np.ndarray
) -> np.ndarray:
    """``value`` at the rows where (``block``, ``key``) equals each query pair; -1 where absent.

    The table is sorted by (block, key) unless it already is (a window read
    in file order is), then each query is a binary search inside its block:
    no hashing, and no assumption on the size of the ids.
    """
    out = np.full(len(q_key), -1, dtype=np.int64)
    if len(key) == 0 or len(q_key) == 0:
        return out
    ordered = (np.diff(block) > 0) | ((np.diff(block) == 0) & (np.diff(key) > 0))
    if not ordered.all():
        order = np.lexsort((key, block))
        block, key, value = block[order], key[order], value[order]
    q_order = np.argsort(q_block, kind="stable")
    q_sorted = q_block[q_order]
    blocks = np.unique(q_sorted)
    t_lo, t_hi = np.searchsorted(block, blocks, "left"), np.searchsorted(block, blocks, "right")
    q_lo = np.searchsorted(q_sorted, blocks, "left")
    q_hi = np.searchsorted(q_sorted, blocks, "right")
    for lo, hi, qlo, qhi in zip(
        t_lo.tolist(), t_hi.tolist(), q_lo.tolist(), q_hi.tolist(), strict=True
    ):
        if lo == hi:
            continue
        rows = q_order[qlo:qhi]
        keys = key[lo:hi]
        at = np.minimum(np.searchsorted(keys, q_key[rows]), hi - lo - 1)
        hit = keys[at] == q_key[rows]
        out[rows[hit]] = value[lo:hi][at[hit]]
    return out


MET_BY = pa.array(["case", "companion", "both"], pa.string())


def decide(
    pieces: pa.Table, dwell: pa.Table, where: Footprint, plan: CasePlan, rule: CompanionRule
) -> pa.Table:
    """The rule on the engine's overlaps → ``COMPANIONS``, with periods and who met it.

    Shared by every backend: ``pieces`` (sorted) are summed per (case,
    companion, cell); the total must be more than ``min_overlap``, and the
    case's or the companion's lookback dwell in the cell at least
    ``dwell_hours``. Pieces of one (case, companion, cell) never overlap,
    since each side's stays in a cell are disjoint after ingest, but they may
    touch, at local midnight where stays are cut: touching pieces become one
    period.
    """
    if pieces.num_rows == 0:
        return COMPANIONS.empty_table()
    case, comp, cell = _np(pieces, "case_id"), _np(pieces, "companion_id"), _np(pieces, "cell_id")
    start, end = _np(pieces, "start_s"), _np(pieces, "end_s")
    new_triple = np.ones(len(case), dtype=bool)
    new_triple[1:] = (case[1:] != case[:-1]) | (comp[1:] != comp[:-1]) | (cell[1:] != cell[:-1])
    first = np.flatnonzero(new_triple)
    overlap = np.add.reduceat(end - start, first)
    t_case, t_comp, t_cell = case[first], comp[first], cell[first]
    # (cell, case) → the case's dwell; (lookback, cell) blocks, person → a companion's.
    # Day numbers and cell ids are small and non-negative: one int64 holds both.
    cc = where.cells
    case_dwell = _lookup(
        _np(cc, "cell_id"), _np(cc, "case_id"), _np(cc, "case_dwell_s"), t_cell, t_case
    )
    comp_dwell = _lookup(
        (_np(dwell, "lb_last") << 32) | _np(dwell, "cell_id"),
        _np(dwell, "person_id"),
        _np(dwell, "dwell_s"),
        (_lookback_last(plan, t_case) << 32) | t_cell,
        t_comp,
    )
    case_met, comp_met = case_dwell >= rule.dwell_s, comp_dwell >= rule.dwell_s
    qualified = (
        (overlap > rule.min_overlap_s)
        & (case_dwell >= 0)
        & (comp_dwell >= 0)
        & (case_met | comp_met)
    )
    if not qualified.any():
        return COMPANIONS.empty_table()
    # The pieces of qualified triples, and where each triple's pieces begin.
    lengths = np.diff(np.append(first, len(case)))
    keep = np.repeat(qualified, lengths)
    start, end = start[keep], end[keep]
    new_triple = new_triple[keep]
    new_period = new_triple.copy()
    new_period[1:] |= start[1:] != end[:-1]
    period_first = np.flatnonzero(new_period)
    period_last = np.append(period_first[1:] - 1, len(start) - 1)
    triple_first = np.flatnonzero(new_triple)
    offsets = np.append(np.searchsorted(period_first, triple_first), len(period_first))
    ts = pa.timestamp("s")
    structs = pa.StructArray.from_arrays(
        [
            pa.array(start[period_first]).cast(ts).cast(TS),
            pa.array(end[period_last]).cast(ts).cast(TS),
        ],
        fields=list(PERIOD),
    )
    met_by = MET_BY.take(
        pa.array(np.where(case_met, np.where(comp_met, 2, 0), 1)[qualified], pa.int8())
    )
    overlap = overlap[qualified]
    return pa.table(
        {
            "case_person_id": pa.array(t_case[qualified], pa.int64()),
            "companion_person_id": pa.array(t_comp[qualified], pa.int64()),
            "cell_id": pa.array(t_cell[qualified].astype(np.int32), pa.int32()),
            "overlap_s": pa.array(overlap, pa.int64()),
            "overlap_minutes": pa.array(overlap / 60.0, pa.float64()),
            "periods": pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), structs),
            "case_dwell_s": pa.array(case_dwell[qualified], pa.int64()),
            "companion_dwell_s": pa.array(comp_dwell[qualified], pa.int64()),
            "dwell_rule_met_by": met_by,
            "overlap_within": pa.array([rule.overlap_within] * int(qualified.sum()), pa.string()),
        },
        schema=COMPANIONS,
    )


def find_companions(
    store: Store,
    cases: pa.Table,
    rule: CompanionRule,
    backend: Backend | str = "duckdb",
) -> pa.Table:
    """Every companion of every case, with evidence (schema ``COMPANIONS``), sorted."""
    plan = plan_cases(cases, rule)
    if plan.table.num_rows == 0:
        return COMPANIONS.empty_table()
    owned = isinstance(backend, str)
    engine = get_backend(backend) if isinstance(backend, str) else backend
    try:
        manifest = store.manifest()
        ends = sorted(set(plan.table.column("lb_last").to_pylist()))
        window_ends = [
            e for e in ends if valid_window(store, day_no_to_date(e), rule.lookback_days, manifest)
        ]
        # Only the lookback days of cases without a valid window are read day by day.
        daily_days: set[int] = set()
        for first, last in zip(
            plan.table.column("lb_first").to_pylist(),
            plan.table.column("lb_last").to_pylist(),
            strict=True,
        ):
            if last not in window_ends:
                daily_days.update(range(first, last + 1))
        daily_dates = [day_no_to_date(d) for d in sorted(daily_days)]
        persons, cells = {}, {}
        windows: dict[str, object] = {}
        for i, end in enumerate(window_ends):
            date = day_no_to_date(end)
            persons[end], cells[end] = f"window_persons_{i}", f"window_cells_{i}"
            windows[persons[end]] = ParquetFiles.of(
                [store.window_file(date, "persons")], STORE_WINDOW
            )
            windows[cells[end]] = ParquetFiles.of([store.window_file(date, "cells")], STORE_WINDOW)
        inputs: dict[str, object] = {"cases": plan.table}
        if daily_days:
            inputs["person_cells"] = ParquetFiles.of(
                store.files("person_cells", daily_dates), STORE_DWELL
            )
        raw_cells = engine.run(
            case_cells_query(engine.dialect, plan, persons, bool(daily_days)),
            {**inputs, **{name: windows[name] for name in persons.values()}},
        )
        where = footprint(raw_cells, plan, rule.lookback_days)
        if where.days.num_rows == 0:
            return COMPANIONS.empty_table()
        stays: dict[int, str] = {}
        day_tables: dict[str, object] = {"cases": plan.table}
        for d in _distinct(_np(where.days, "day_no")):
            stays[d] = f"stays_{len(stays)}"
            day_tables[stays[d]] = ParquetFiles.of(
                store.files("stays", [day_no_to_date(d)]), STORE_STAYS
            )
        pieces = engine.run(pieces_query(engine.dialect, where, stays), day_tables)
        if pieces.num_rows == 0:
            return COMPANIONS.empty_table()
        dwell_inputs: dict[str, object] = {name: windows[name] for name in cells.values()}
        dwell_inputs["cases"] = plan.table
        if daily_days:
            dwell_inputs["dwell"] = ParquetFiles.of(store.files("dwell", daily_dates), STORE_DWELL)
        dwell = engine.run(dwell_query(engine.dialect, plan, where, cells), dwell_inputs)
        return decide(pieces, dwell, where, plan, rule)
    finally:
        if owned:
            engine.close()
