"""The companion store: stays laid out for the companion query.

Layout under the store directory (one folder per local day, Asia/Shanghai)::

    manifest.json                          what was ingested, with what parameters
    stays/day=YYYY-MM-DD/stays.parquet     STORE_STAYS, sorted by cell, start, person
    dwell/day=YYYY-MM-DD/dwell.parquet     STORE_DWELL, sorted by cell, person
    person_cells/day=YYYY-MM-DD/person_cells.parquet
                                           STORE_DWELL, sorted by person, cell
    rejects/day=YYYY-MM-DD/rejects.parquet malformed input rows, with their kind
    window/end=YYYY-MM-DD/                 STORE_WINDOW, the lookback ending that day
        cells.parquet                      sorted by cell, person
        persons.parquet                    sorted by person, cell
        window.json                        the lookback and the day builds it sums

Stays are split at local midnight, so a day folder holds exactly the presence
in that day and purging a day removes exactly that day. Sorting by cell with
small row groups lets DuckDB and Spark skip, by Parquet min/max statistics,
every row group outside the cells a query asks for. The two dwell tables hold
each person's seconds per cell and day: ``person_cells`` (sorted by person) is
the index of a case's cells; ``dwell`` (sorted by cell) answers the 30-hour
rule for the people met in those cells without reading their stays.

A window (``window.py``) compacts the ``lookback_days`` daily dwell files
ending on one day into one row per (person, cell): the total dwell and a bit
per day present. A query whose lookback ends on that day reads one small
slice of it instead of fourteen daily files; any other query, or one whose
window is stale, sums the daily files as before, with the same result.

Times are integer epoch seconds: integer arithmetic means the same in every
engine, where timestamp types and time zones do not.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

#: Seconds between UTC and Asia/Shanghai (no daylight saving since 1991).
LOCAL_OFFSET_S = 8 * 3600
DAY_S = 86_400
EPOCH_DATE = dt.date(1970, 1, 1)

STORE_STAYS = pa.schema(
    [
        pa.field("day_no", pa.int32(), nullable=False),
        pa.field("cell_id", pa.int32(), nullable=False),
        pa.field("person_id", pa.int64(), nullable=False),
        pa.field("start_s", pa.int64(), nullable=False),
        pa.field("end_s", pa.int64(), nullable=False),
    ]
)
STORE_DWELL = pa.schema(
    [
        pa.field("day_no", pa.int32(), nullable=False),
        pa.field("cell_id", pa.int32(), nullable=False),
        pa.field("person_id", pa.int64(), nullable=False),
        pa.field("dwell_s", pa.int64(), nullable=False),
    ]
)
REJECTS = pa.schema(
    [
        pa.field("kind", pa.string()),
        pa.field("person_id", pa.int64()),
        pa.field("cell_id", pa.int64()),
        pa.field("start_s", pa.int64()),
        pa.field("end_s", pa.int64()),
    ]
)
STORE_WINDOW = pa.schema(
    [
        pa.field("cell_id", pa.int32(), nullable=False),
        pa.field("person_id", pa.int64(), nullable=False),
        pa.field("dwell_s", pa.int64(), nullable=False),
        # Bit i is set when the person was in the cell on day ``end - i``.
        pa.field("day_bits", pa.int64(), nullable=False),
    ]
)
#: ``carry``: an input day's stays that run past the end of the next day (a
#: stay longer than a day is kept, cut at every midnight it crosses): the days
#: after the next read them from there.
TABLES = ("stays", "dwell", "person_cells", "rejects", "carry")
FILE_NAMES = {t: f"{t}.parquet" for t in TABLES}

#: Row-group sizes: small enough that a query for a few cells (or persons)
#: reads little more than their rows, large enough to keep metadata small.
ROW_GROUP_STAYS = 16_384
ROW_GROUP_DWELL = 16_384
#: Row groups of the windows, by cell and by person. Measured at 1,000,000
#: people (15 million rows a window): 4,096-row groups cost more in per-group
#: overhead than they save in reading; a case's few rows by person want
#: fewer, larger groups still.
ROW_GROUP_WINDOW = {"cells": 16_384, "persons": 65_536}
#: Day bits fit a signed 64-bit integer up to this lookback.
MAX_WINDOW_DAYS = 62
WINDOW_FILES = ("cells", "persons")


def day_no_to_date(day_no: int) -> dt.date:
    return EPOCH_DATE + dt.timedelta(days=int(day_no))


def date_to_day_no(date: dt.date) -> int:
    return (date - EPOCH_DATE).days


def parse_day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@dataclass(frozen=True)
class Store:
    """A companion store directory."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    def day_dir(self, table: str, date: dt.date) -> Path:
        return self.root / table / f"day={date.isoformat()}"

    def file(self, table: str, date: dt.date) -> Path:
        return self.day_dir(table, date) / FILE_NAMES[table]

    def days(self, table: str = "stays") -> list[dt.date]:
        """Days present on disk for ``table``, sorted."""
        base = self.root / table
        if not base.is_dir():
            return []
        found = []
        for child in base.iterdir():
            if child.name.startswith("day=") and (child / FILE_NAMES[table]).exists():
                found.append(parse_day(child.name[4:]))
        return sorted(found)

    def files(self, table: str, days: Iterable[dt.date]) -> list[Path]:
        """The existing files of ``table`` for ``days``; missing days are skipped."""
        out = []
        for date in sorted(set(days)):
            path = self.file(table, date)
            if path.exists():
                out.append(path)
        return out

    # -- manifest -----------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def manifest(self) -> dict:
        if not self.manifest_path.exists():
            return {"version": 1, "days": {}}
        return json.loads(self.manifest_path.read_text())

    def write_manifest(self, manifest: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.manifest_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False))
        os.replace(tmp, self.manifest_path)

    # -- writing and removing days -----------------------------------------------
    def staging_dir(self, date: dt.date) -> Path:
        """Where a day is written before it replaces the old one in one move per table."""
        return self.root / "_staging" / f"day={date.isoformat()}"

    def publish(self, date: dt.date) -> None:
        """Move a staged day into place, replacing that day's previous files."""
        staged = self.staging_dir(date)
        for table in TABLES:
            src = staged / FILE_NAMES[table]
            target_dir = self.day_dir(table, date)
            if target_dir.exists():
                shutil.rmtree(target_dir)
            if src.exists():
                target_dir.mkdir(parents=True, exist_ok=True)
                os.replace(src, target_dir / FILE_NAMES[table])
        shutil.rmtree(staged, ignore_errors=True)

    def remove_day(self, date: dt.date) -> None:
        for table in TABLES:
            shutil.rmtree(self.day_dir(table, date), ignore_errors=True)

    # -- windows ------------------------------------------------------------------
    def window_dir(self, end: dt.date) -> Path:
        return self.root / "window" / f"end={end.isoformat()}"

    def window_file(self, end: dt.date, name: str) -> Path:
        return self.window_dir(end) / f"{name}.parquet"

    def windows(self) -> list[dt.date]:
        """End days of the windows on disk, sorted."""
        base = self.root / "window"
        if not base.is_dir():
            return []
        return sorted(
            parse_day(child.name[4:])
            for child in base.iterdir()
            if child.name.startswith("end=") and (child / "window.json").exists()
        )

    def window_meta(self, end: dt.date) -> dict | None:
        path = self.window_dir(end) / "window.json"
        if not path.exists():
            return None
        return json.loads(path.read_text())

    def remove_window(self, end: dt.date) -> None:
        shutil.rmtree(self.window_dir(end), ignore_errors=True)
