"""Ingest: location records or stays → the companion store, one local day at a time.

Input stays (schema ``STAYS``) come as ``DIR/day=YYYY-MM-DD/*.parquet``, the
layout ``zhanyi synth`` writes, partitioned by the local day a stay starts on.
A flat CSV/Parquet file of stays, or of raw location records (``person_id,
ts`` and ``cell_id`` or ``lon, lat``), is first staged into that layout.

Day D of the store is built from input days D-1 and D, and from the stays
of earlier days that run into D (``carry``: a stay longer than a day is kept
and cut at every midnight it crosses, never refused for its length): each
valid stay is cut at local midnight, the pieces falling in D are kept, and a
person's pieces in the same cell are merged when the gap between them is at
most ``merge_gap_minutes`` (overlapping and touching pieces always merge).
Merging never bridges midnight, so a day folder is a function of its input
days and can be rebuilt or purged alone. Re-ingest day D when an earlier day
whose stays run into it arrives late.

After the days, the windows of the most recent days are brought up to date
(``window.py``): the query's compact index of each lookback's dwell.

Malformed rows are never fatal and never dropped silently: each is counted by
kind and written to ``rejects/day=D/rejects.parquet``. The kinds, first
match wins: ``missing`` (a null field), ``unknown_cell`` (not a cell of the
grid), ``end_before_start``, ``zero_length``, ``outside_day`` (the start is
not in the partition's day), ``duplicate`` (an exact copy of an earlier
row). Records add ``conflict`` (same person and instant, another cell; the
smallest cell id is kept) and ``no_duration`` (the person's next record is
more than ``record_gap_minutes`` later, or there is none, so it spans no
time).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from zhanyi.engine.companions.store import (
    DAY_S,
    LOCAL_OFFSET_S,
    ROW_GROUP_DWELL,
    ROW_GROUP_STAYS,
    Store,
    date_to_day_no,
    day_no_to_date,
    parse_day,
)
from zhanyi.engine.companions.window import DEFAULT_WINDOWS, WindowReport, refresh_windows
from zhanyi.engine.grid import ZHANGZHOU, Grid
from zhanyi.engine.protocol import CompanionRule

REJECT_KINDS = (
    "missing",
    "unknown_cell",
    "end_before_start",
    "zero_length",
    "outside_day",
    "duplicate",
    "conflict",
    "no_duration",
)


@dataclass
class DayReport:
    day: dt.date
    rows: int = 0
    spill_rows: int = 0
    stays: int = 0
    dwell_rows: int = 0
    rejects: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class IngestReport:
    days: list[DayReport] = field(default_factory=list)
    skipped_days: list[dt.date] = field(default_factory=list)
    record_rejects: dict[str, int] = field(default_factory=dict)
    windows: list[WindowReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(d.rows for d in self.days)

    @property
    def stays(self) -> int:
        return sum(d.stays for d in self.days)

    @property
    def rejects(self) -> dict[str, int]:
        total: Counter[str] = Counter(self.record_rejects)
        for d in self.days:
            total.update(d.rejects)
        return {k: total[k] for k in REJECT_KINDS if total[k]}


def _sql_str(value: str | Path) -> str:
    """A single-quoted SQL literal, for our own file paths in COPY (which takes no parameters)."""
    return "'" + str(value).replace("'", "''") + "'"


def connect(
    threads: int | None = None, memory_limit: str | None = None, temp_dir: Path | None = None
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute("SET memory_limit = ?", [memory_limit])
    if temp_dir:
        con.execute("SET temp_directory = ?", [str(temp_dir)])
    # Row order in COPY is the ORDER BY's; keeping it is what clusters the files.
    con.execute("SET preserve_insertion_order = true")
    return con


def input_days(stays_dir: Path) -> dict[dt.date, list[Path]]:
    """``day=YYYY-MM-DD`` partitions of an input stays folder and their files."""
    out: dict[dt.date, list[Path]] = {}
    for child in sorted(Path(stays_dir).glob("day=*")):
        # A day folder with no files still counts: it may carry record rejects.
        out[parse_day(child.name[4:])] = sorted(child.glob("*.parquet"))
    return out


def _source_sql(files_param: str, day_no: int, empty: bool = False) -> str:
    if empty:
        return (
            "SELECT NULL::BIGINT AS person_id, NULL::BIGINT AS cell_id, "
            "NULL::BIGINT AS start_s, NULL::BIGINT AS end_s, "
            f"{int(day_no)} AS src_day WHERE false"
        )
    # epoch() reads timestamps with or without a time zone (naive ones as UTC).
    return (
        "SELECT CAST(person_id AS BIGINT) AS person_id, CAST(cell_id AS BIGINT) AS cell_id, "
        'CAST(epoch("start") AS BIGINT) AS start_s, CAST(epoch("end") AS BIGINT) AS end_s, '
        f"{int(day_no)} AS src_day FROM read_parquet({files_param}, union_by_name = true)"
    )


def _classify_sql(n_cells: int) -> str:
    return f"""
    SELECT *, CASE
      WHEN person_id IS NULL OR cell_id IS NULL OR start_s IS NULL OR end_s IS NULL
        THEN 'missing'
      WHEN cell_id < 0 OR cell_id >= {int(n_cells)} THEN 'unknown_cell'
      WHEN end_s < start_s THEN 'end_before_start'
      WHEN end_s = start_s THEN 'zero_length'
      WHEN start_s < src_day * {DAY_S} - {LOCAL_OFFSET_S}
        OR start_s >= (src_day + 1) * {DAY_S} - {LOCAL_OFFSET_S} THEN 'outside_day'
      WHEN row_number() OVER (PARTITION BY src_day, person_id, cell_id, start_s, end_s) > 1
        THEN 'duplicate'
    END AS kind
    FROM src"""


def _merge_sql(day_no: int, gap_s: int) -> str:
    lo = int(day_no) * DAY_S - LOCAL_OFFSET_S
    hi = lo + DAY_S
    # The running maximum of earlier ends (not just the previous end) keeps
    # merging right when input stays of one person overlap.
    return f"""
    WITH pieces AS (
      SELECT person_id, CAST(cell_id AS INTEGER) AS cell_id,
             GREATEST(start_s, {lo}) AS start_s, LEAST(end_s, {hi}) AS end_s
      FROM classified
      WHERE kind IS NULL AND start_s < {hi} AND end_s > {lo}
    ), ordered AS (
      SELECT *, MAX(end_s) OVER (PARTITION BY person_id, cell_id ORDER BY start_s, end_s
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
      FROM pieces
    ), islands AS (
      SELECT *, SUM(CASE WHEN prev_end IS NULL OR start_s > prev_end + {int(gap_s)}
                         THEN 1 ELSE 0 END)
                  OVER (PARTITION BY person_id, cell_id ORDER BY start_s, end_s
                        ROWS UNBOUNDED PRECEDING) AS island
      FROM ordered
    )
    SELECT CAST({int(day_no)} AS INTEGER) AS day_no, cell_id, person_id,
           MIN(start_s) AS start_s, MAX(end_s) AS end_s
    FROM islands GROUP BY person_id, cell_id, island"""


def ingest_day(
    con: duckdb.DuckDBPyConnection,
    store: Store,
    date: dt.date,
    files: list[Path],
    prev_files: list[Path],
    rule: CompanionRule,
    grid: Grid = ZHANGZHOU,
    extra_rejects: pa.Table | None = None,
) -> DayReport:
    """Build one store day from input day ``date`` and the stays crossing in from the day before."""
    started = time.perf_counter()
    d = date_to_day_no(date)
    lo = d * DAY_S - LOCAL_OFFSET_S
    report = DayReport(day=date)
    parts = [_source_sql("$files", d, empty=not files)]
    params: dict[str, object] = {"files": [str(f) for f in files]} if files else {}
    if prev_files:
        # Only yesterday's stays that run past midnight; their malformed rows
        # were counted when yesterday was ingested.
        parts.append(f"SELECT * FROM ({_source_sql('$prev', d - 1)}) WHERE end_s > {lo}")
        params["prev"] = [str(f) for f in prev_files]
    for earlier in store.days("carry"):
        # Stays of earlier days (before yesterday) that run into this one.
        n = date_to_day_no(earlier)
        if n < d - 1:
            parts.append(f"SELECT * FROM ({_source_sql(f'$carry{n}', n)}) WHERE end_s > {lo}")
            params[f"carry{n}"] = [str(store.file("carry", earlier))]
    con.execute("CREATE OR REPLACE TEMP TABLE src AS " + " UNION ALL ".join(parts), params)
    con.execute("CREATE OR REPLACE TEMP TABLE classified AS " + _classify_sql(grid.n_cells))
    counts = con.execute(
        f"SELECT kind, count(*) FROM classified WHERE src_day = {d} GROUP BY kind"
    ).fetchall()
    report.rows = sum(n for _, n in counts)
    report.rejects = {k: n for k, n in counts if k is not None}
    report.spill_rows = con.execute(
        f"SELECT count(*) FROM classified WHERE src_day = {d - 1}"
    ).fetchall()[0][0]

    staging = store.staging_dir(date)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    rejects_sql = (
        f"SELECT kind, person_id, cell_id, start_s, end_s FROM classified "
        f"WHERE kind IS NOT NULL AND src_day = {d}"
    )
    if extra_rejects is not None and extra_rejects.num_rows:
        con.register("extra_rejects", extra_rejects)
        rejects_sql += (
            " UNION ALL SELECT kind, person_id, cell_id, start_s, end_s FROM extra_rejects"
        )
        for kind, n in Counter(extra_rejects.column("kind").to_pylist()).items():
            report.rejects[kind] = report.rejects.get(kind, 0) + n
    if report.rejects:
        con.execute(
            f"COPY ({rejects_sql} ORDER BY kind, person_id, start_s) "
            f"TO {_sql_str(staging / 'rejects.parquet')} (FORMAT parquet)"
        )

    # This day's valid stays that run past the end of tomorrow: the days after
    # tomorrow read them from the carry table.
    carry = (
        f"SELECT person_id, cell_id, to_timestamp(start_s) AS start, "
        f'to_timestamp(end_s) AS "end" FROM classified WHERE kind IS NULL '
        f"AND src_day = {d} AND end_s > {lo + 2 * DAY_S}"
    )
    if con.execute(f"SELECT count(*) FROM ({carry})").fetchall()[0][0]:
        con.execute(
            f"COPY ({carry} ORDER BY person_id, start) "
            f"TO {_sql_str(staging / 'carry.parquet')} (FORMAT parquet)"
        )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE merged AS " + _merge_sql(d, rule.merge_gap_minutes * 60)
    )
    con.execute("DROP TABLE classified")
    con.execute("DROP TABLE src")
    report.stays = con.execute("SELECT count(*) FROM merged").fetchall()[0][0]
    con.execute(
        "COPY (SELECT * FROM merged ORDER BY cell_id, start_s, person_id) "
        f"TO {_sql_str(staging / 'stays.parquet')} "
        # Snappy: the query decodes a case's cells' stays every time, and
        # snappy decodes them in about three quarters of zstd's time.
        f"(FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP_STAYS}, COMPRESSION snappy)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dwell AS SELECT day_no, cell_id, person_id, "
        "CAST(SUM(end_s - start_s) AS BIGINT) AS dwell_s FROM merged "
        "GROUP BY day_no, cell_id, person_id"
    )
    con.execute("DROP TABLE merged")
    report.dwell_rows = con.execute("SELECT count(*) FROM dwell").fetchall()[0][0]
    for name, order in (("dwell", "cell_id, person_id"), ("person_cells", "person_id, cell_id")):
        con.execute(
            f"COPY (SELECT * FROM dwell ORDER BY {order}) "
            f"TO {_sql_str(staging / f'{name}.parquet')} "
            f"(FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP_DWELL}, COMPRESSION zstd)"
        )
    con.execute("DROP TABLE dwell")
    store.publish(date)
    report.seconds = time.perf_counter() - started
    return report


def _crosses_midnight(con: duckdb.DuckDBPyConnection, prev: list[Path], date: dt.date) -> bool:
    if not prev:
        return False
    lo = date_to_day_no(date) * DAY_S - LOCAL_OFFSET_S
    found = con.execute(
        f"SELECT count(*) FROM ({_source_sql('$prev', 0)}) WHERE end_s > {lo}",
        {"prev": [str(f) for f in prev]},
    ).fetchall()[0][0]
    return found > 0


def _carry_days(con: duckdb.DuckDBPyConnection, store: Store, date: dt.date) -> list[dt.date]:
    """The days after tomorrow that ``date``'s long stays run into."""
    path = store.file("carry", date)
    if not path.exists():
        return []
    last = con.execute(f'SELECT max(epoch("end")) FROM read_parquet({_sql_str(path)})').fetchall()[
        0
    ][0]
    last_day = day_no_to_date((int(last) - 1 + LOCAL_OFFSET_S) // DAY_S)
    return [date + dt.timedelta(days=n) for n in range(2, (last_day - date).days + 1)]


def _carried_into(con: duckdb.DuckDBPyConnection, store: Store, date: dt.date) -> bool:
    """Whether a stay of a day before yesterday runs into ``date``."""
    return any(
        date in _carry_days(con, store, earlier)
        for earlier in store.days("carry")
        if earlier < date - dt.timedelta(days=1)
    )


def ingest_stays(
    stays_dir: Path,
    store: Store,
    rule: CompanionRule,
    *,
    days: Iterable[dt.date] | None = None,
    replace: bool = False,
    grid: Grid = ZHANGZHOU,
    progress: Callable[[DayReport], None] | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
    extra_rejects: dict[dt.date, pa.Table] | None = None,
    windows: int = DEFAULT_WINDOWS,
) -> IngestReport:
    """Ingest the ``day=`` partitions of a stays folder (all of them, or ``days``).

    Incremental: days already in the store are skipped unless ``replace``.
    Then the windows of the ``windows`` latest days are built where missing
    or stale, and older ones removed (0: none; queries read the daily files).
    """
    if windows < 0:
        raise ValueError(f"windows: the number of windows to keep, not {windows}")
    started = time.perf_counter()
    available = input_days(stays_dir)
    wanted = sorted(available if days is None else set(days) & set(available))
    manifest = store.manifest()
    report = IngestReport()
    store.root.mkdir(parents=True, exist_ok=True)
    tmp = store.root / "_tmp"
    con = connect(threads, memory_limit, tmp)
    # A day with no input of its own is still built from the stays that run
    # into it past midnight; it is marked so that its own input, when it
    # comes, replaces it.
    spill_only = {d + dt.timedelta(days=1) for d in wanted} - set(available)
    todo = sorted(set(wanted) | spill_only)
    try:
        while todo:
            date = todo.pop(0)
            seen = manifest["days"].get(date.isoformat())
            if not replace and seen and (seen.get("has_input", True) or date not in available):
                report.skipped_days.append(date)
                continue
            prev = available.get(date - dt.timedelta(days=1), [])
            files = available.get(date, [])
            if (
                not files
                and date in spill_only
                and not _crosses_midnight(con, prev, date)
                and not _carried_into(con, store, date)
            ):
                continue
            extra = (extra_rejects or {}).get(date)
            day = ingest_day(con, store, date, files, prev, rule, grid, extra)
            report.days.append(day)
            manifest["days"][date.isoformat()] = {
                "rows": day.rows,
                "stays": day.stays,
                "rejects": day.rejects,
                "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "source": str(stays_dir),
                "merge_gap_minutes": rule.merge_gap_minutes,
                "has_input": date in available,
                # What a window records to know it sums this very build.
                "build": uuid.uuid4().hex,
            }
            store.write_manifest(manifest)
            # The days this day's long stays run into are built too.
            for later in _carry_days(con, store, date):
                if later not in available and later not in todo:
                    spill_only.add(later)
                    todo = sorted({*todo, later})
            if progress:
                progress(day)
        report.windows = refresh_windows(con, store, rule.lookback_days, windows)
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(store.root / "_staging", ignore_errors=True)
    report.seconds = time.perf_counter() - started
    return report


def ingest_file(
    path: Path, store: Store, rule: CompanionRule, *, grid: Grid = ZHANGZHOU, **kwargs: object
) -> IngestReport:
    """Ingest a flat CSV/Parquet file of stays or raw location records.

    The file is staged into ``day=`` folders first; its record-level rejects
    are stored with their day, and those without a usable time are counted
    in ``IngestReport.record_rejects``.
    """
    from zhanyi.engine.companions.records import stage_file

    with tempfile.TemporaryDirectory(dir=_ensure(store.root), prefix="_input-") as tmp:
        rejects, undated = stage_file(Path(path), Path(tmp), rule, grid)
        report = ingest_stays(Path(tmp), store, rule, grid=grid, extra_rejects=rejects, **kwargs)  # type: ignore[arg-type]
        report.record_rejects = undated
        return report


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def purge(
    store: Store, retention_days: int, as_of: dt.date | None = None, dry_run: bool = False
) -> list[dt.date]:
    """Delete every day older than the retention period; return the days removed.

    The store keeps the ``retention_days`` local days ending with ``as_of``
    (default: today, Asia/Shanghai), the rule that location data is deleted
    after its retention period.
    """
    if as_of is None:
        as_of = day_no_to_date((int(time.time()) + LOCAL_OFFSET_S) // DAY_S)
    oldest_kept = as_of - dt.timedelta(days=int(retention_days) - 1)
    on_disk = set()
    for table in ("stays", "dwell", "person_cells", "rejects"):
        on_disk.update(store.days(table))
    manifest = store.manifest()
    on_disk.update(parse_day(d) for d in manifest["days"])
    doomed = sorted(d for d in on_disk if d < oldest_kept)
    if not dry_run:
        # A window sums its days: one reaching past the retention period goes too.
        for end in store.windows():
            meta = store.window_meta(end) or {}
            first = end - dt.timedelta(days=int(meta.get("lookback_days", 1)) - 1)
            if first < oldest_kept:
                store.remove_window(end)
        for date in doomed:
            store.remove_day(date)
            manifest["days"].pop(date.isoformat(), None)
        if doomed:
            store.write_manifest(manifest)
    return doomed
