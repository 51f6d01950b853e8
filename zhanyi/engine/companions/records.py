"""Stage a flat file (stays, or raw location records) into ``day=`` folders for ingest.

A location record (a phone ping) says where a person was at one instant. A
record counts as presence in its cell from its time until the person's next
record, when that comes within ``record_gap_minutes``; the stays this makes
are then merged per person and cell like any other stays. A person's last
record, or one followed by a long silence, spans no time (``no_duration``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhanyi.engine.companions.ingest import _sql_str
from zhanyi.engine.companions.store import DAY_S, LOCAL_OFFSET_S, REJECTS
from zhanyi.engine.grid import Grid
from zhanyi.engine.protocol import CompanionRule


def _reader(path: Path) -> str:
    if path.suffix.lower() in {".csv", ".txt", ".gz"}:
        return f"read_csv({_sql_str(path)}, header = true, auto_detect = true)"
    return f"read_parquet({_sql_str(path)})"


#: The columns a stay file has: stays, or raw location records (a cell or a position).
STAY_COLUMNS = ("person_id", "cell_id", "start", "end")
RECORD_COLUMNS = ("person_id", "ts", "cell_id")
RECORD_POSITION_COLUMNS = ("person_id", "ts", "lon", "lat")
LAYOUTS = (STAY_COLUMNS, RECORD_COLUMNS, RECORD_POSITION_COLUMNS)


def file_columns(path: Path) -> list[str]:
    """The column names of a CSV or Parquet file, lower case, as ingest reads them.
    Raises ``ValueError`` for a file that cannot be read as a table."""
    con = duckdb.connect(":memory:")
    try:
        names = con.sql(f"SELECT * FROM {_reader(path)} LIMIT 0").to_arrow_table().column_names
    except duckdb.Error as error:
        raise ValueError(f"{path.name}: cannot be read as a table: {error}") from None
    finally:
        con.close()
    return [str(n).strip().lower() for n in names]


def missing_columns(columns: list[str]) -> tuple[str, ...] | None:
    """None when ``columns`` hold one of the ``LAYOUTS``; else the layout the
    file comes closest to, whose columns it lacks (to name in a refusal)."""
    have = set(columns)
    if any(set(layout) <= have for layout in LAYOUTS):
        return None
    return max(LAYOUTS, key=lambda layout: len(set(layout) & have))


def _epoch(column: str) -> str:
    # Strings without an offset are read as UTC (the session time zone below).
    return f'CAST(epoch(CAST("{column}" AS TIMESTAMPTZ)) AS BIGINT)'


def _day_expr(column: str) -> str:
    return f"(DATE '1970-01-01' + CAST(floor(({column} + {LOCAL_OFFSET_S}) / {DAY_S}) AS INTEGER))"


def stage_file(
    path: Path,
    out_dir: Path,
    rule: CompanionRule,
    grid: Grid,
) -> tuple[dict[dt.date, pa.Table], dict[str, int]]:
    """Write ``out_dir/day=…/*.parquet`` (schema STAYS) from a flat file.

    Returns the rejects found here by local day, and the counts of rejects
    that have no time to file them under.
    """
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    try:
        columns = {
            c.lower()
            for c in con.sql(f"SELECT * FROM {_reader(path)} LIMIT 0").to_arrow_table().column_names
        }
        if {"start", "end"} <= columns:
            return _stage_stays(con, path, out_dir)
        if "ts" in columns:
            return _stage_records(con, path, out_dir, rule, grid, columns)
        raise ValueError(f"{path}: expected stays (start, end) or records (ts) columns")
    except duckdb.Error as error:
        # A cell that is no number or no time, a broken file: the file's fault,
        # said as the engine says a bad file (the command prints it).
        raise ValueError(f"{path}: cannot be read as stays or records: {error}") from None
    finally:
        con.close()


def _stage_stays(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    out_dir: Path,
) -> tuple[dict[dt.date, pa.Table], dict[str, int]]:
    con.execute(
        "CREATE TEMP TABLE flat AS SELECT CAST(person_id AS BIGINT) AS person_id, "
        f"CAST(cell_id AS BIGINT) AS cell_id, {_epoch('start')} AS start_s, "
        f"{_epoch('end')} AS end_s FROM {_reader(path)}"
    )
    undated = con.execute("SELECT count(*) FROM flat WHERE start_s IS NULL").fetchall()[0][0]
    con.execute(
        "COPY (SELECT person_id, cell_id, to_timestamp(start_s) AS start, "
        f'to_timestamp(end_s) AS "end", {_day_expr("start_s")} AS day FROM flat '
        f"WHERE start_s IS NOT NULL) TO {_sql_str(out_dir)} "
        "(FORMAT parquet, PARTITION_BY (day), OVERWRITE_OR_IGNORE true)"
    )
    return {}, ({"missing": undated} if undated else {})


def _stage_records(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    out_dir: Path,
    rule: CompanionRule,
    grid: Grid,
    columns: set[str],
) -> tuple[dict[dt.date, pa.Table], dict[str, int]]:
    cell = "CAST(cell_id AS BIGINT)" if "cell_id" in columns else "CAST(NULL AS BIGINT)"
    lon = "CAST(lon AS DOUBLE)" if "lon" in columns else "CAST(NULL AS DOUBLE)"
    lat = "CAST(lat AS DOUBLE)" if "lat" in columns else "CAST(NULL AS DOUBLE)"
    raw = con.sql(
        f"SELECT CAST(person_id AS BIGINT) AS person_id, {_epoch('ts')} AS ts_s, "
        f"{cell} AS cell_id, {lon} AS lon, {lat} AS lat FROM {_reader(path)}"
    ).to_arrow_table()
    # The grid's own function places lon/lat records, so there is one
    # definition of a cell; points outside the grid get -1 (unknown_cell).
    cells = raw.column("cell_id").to_numpy(zero_copy_only=False)
    lons = raw.column("lon").to_numpy(zero_copy_only=False)
    lats = raw.column("lat").to_numpy(zero_copy_only=False)
    need = pc.is_null(raw.column("cell_id")).to_numpy(zero_copy_only=False) & ~(
        np.isnan(lons) | np.isnan(lats)
    )
    placed = np.where(need, grid.cell_of(np.nan_to_num(lons), np.nan_to_num(lats)), 0)
    cell_col = pa.array(
        np.where(need, placed, np.nan_to_num(cells, nan=0)).astype(np.int64),
        mask=~(need | pc.is_valid(raw.column("cell_id")).to_numpy(zero_copy_only=False)),
    )
    con.register(
        "rec",
        pa.table(
            {"person_id": raw.column("person_id"), "ts_s": raw.column("ts_s"), "cell_id": cell_col}
        ),
    )
    gap = int(rule.record_gap_minutes) * 60
    con.execute(f"""
    CREATE TEMP TABLE classified AS
    WITH k AS (
      SELECT *, CASE
        WHEN person_id IS NULL OR ts_s IS NULL OR cell_id IS NULL THEN 'missing'
        WHEN cell_id < 0 OR cell_id >= {int(grid.n_cells)} THEN 'unknown_cell'
        WHEN row_number() OVER (PARTITION BY person_id, ts_s, cell_id) > 1 THEN 'duplicate'
      END AS kind FROM rec
    ), c AS (
      SELECT person_id, ts_s, cell_id, CASE WHEN kind IS NULL AND row_number() OVER
        (PARTITION BY person_id, ts_s, kind IS NULL ORDER BY cell_id) > 1
        THEN 'conflict' ELSE kind END AS kind FROM k
    ), n AS (
      SELECT *, lead(ts_s) OVER (PARTITION BY person_id ORDER BY ts_s) AS next_s
      FROM c WHERE kind IS NULL
    )
    SELECT person_id, ts_s, cell_id, kind, NULL::BIGINT AS end_s FROM c WHERE kind IS NOT NULL
    UNION ALL
    SELECT person_id, ts_s, cell_id,
           CASE WHEN next_s IS NULL OR next_s - ts_s > {gap} THEN 'no_duration' END,
           CASE WHEN next_s - ts_s <= {gap} THEN next_s END
    FROM n
    """)
    con.execute(
        "COPY (SELECT person_id, CAST(cell_id AS INTEGER) AS cell_id, "
        'to_timestamp(ts_s) AS start, to_timestamp(end_s) AS "end", '
        f"{_day_expr('ts_s')} AS day FROM classified WHERE kind IS NULL) "
        f"TO {_sql_str(out_dir)} (FORMAT parquet, PARTITION_BY (day), OVERWRITE_OR_IGNORE true)"
    )
    rejects = con.sql(
        f"SELECT {_day_expr('ts_s')} AS day, kind, person_id, cell_id, ts_s AS start_s, "
        "end_s FROM classified WHERE kind IS NOT NULL AND ts_s IS NOT NULL "
        "ORDER BY day, kind, person_id, ts_s"
    ).to_arrow_table()
    undated = Counter(
        dict(
            con.execute(
                "SELECT kind, count(*) FROM classified WHERE kind IS NOT NULL AND ts_s IS NULL "
                "GROUP BY kind"
            ).fetchall()
        )
    )
    by_day: dict[dt.date, pa.Table] = {}
    days = rejects.column("day").to_pylist()
    for date in sorted(set(days)):
        mask = pc.equal(rejects.column("day"), pa.scalar(date, rejects.schema.field("day").type))
        by_day[date] = rejects.filter(mask).drop_columns(["day"]).cast(REJECTS)
    # A reject dated on a day with no valid record still needs its day folder.
    for date in by_day:
        (out_dir / f"day={date.isoformat()}").mkdir(parents=True, exist_ok=True)
    return by_day, dict(undated)
