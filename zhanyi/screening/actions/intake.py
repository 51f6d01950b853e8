"""Intake of push lists (协查名单接收): read, check, link, dispatch, in two phases.

Phase one streams the file: each row is checked; good rows go to a staging
Parquet file in ``ZHANYI_DATA_DIR/screening/staging/``, bad rows to the error
file (the rows as received plus an error column, for the sender to fix and
upload again). Nothing is written to the database in this phase, so the
progress record is updated as it goes.

Phase two runs in one transaction: the staged rows are linked to the person
index (``zhanyi.engine.linkage``), new persons are created once per cluster,
each person becomes one screening task for the village of their address, and
the records are stored. A failure anywhere rolls all of it back: a list is
stored whole or not at all. The staging file is removed either way.

The same file twice (by its sha256) returns the list stored the first time;
a row stored before (by its fingerprint: source, identity, category, dates)
is counted as repeated and not stored again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.columns import HEADER_SEARCH_ROWS
from zhanyi.core.spreadsheet import ErrorFile
from zhanyi.people.validation import china_today
from zhanyi.screening import bridge
from zhanyi.screening.models import PushList, PushRecord, PushSource
from zhanyi.screening.reading import (
    PushListFileError,
    file_format,
    hash_file,
    open_rows,
)
from zhanyi.screening.validation import (
    FIELDS,
    clean_row,
    fingerprint,
    is_header,
    is_totals_row,
    map_columns,
    unmapped_headers,
)

from .common import actor_name, actor_user
from .linking import store_records

Progress = Callable[[int, int | None, str], None]

BATCH = 5000

STAGING_SCHEMA = pa.schema(
    [
        ("row_number", pa.int64()),
        ("fingerprint", pa.string()),
        ("name", pa.string()),
        ("identity_number", pa.string()),
        ("id_match", pa.string()),
        ("phone", pa.string()),
        ("sex", pa.string()),
        ("birth_date", pa.date32()),
        ("birth_month", pa.string()),
        ("birth_written", pa.date32()),
        ("address", pa.string()),
        ("category", pa.string()),
        ("origin", pa.string()),
        ("risk_level", pa.string()),
        ("exposure_at", pa.timestamp("us", tz="UTC")),
        ("arrived_at", pa.timestamp("us", tz="UTC")),
        ("payload", pa.string()),
        ("warnings", pa.string()),
    ]
)


def _staging_dir(kind: str) -> Path:
    path = bridge.snapshot_dir() / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def staging_path(name: str) -> Path:
    """The working file of an import (rows read and checked, before storing)."""
    return _staging_dir("staging") / f"{name}.parquet"


def unclaimed_error_file(file_hash: str) -> Path | None:
    """The error file an import of this file was writing, if no stored list owns it."""
    path = _staging_dir("errors") / f"{file_hash}.xlsx"
    owned = PushList.objects.filter(error_file=str(path.relative_to(bridge.snapshot_dir())))
    return None if owned.exists() else path


def error_file_path(push_list: PushList) -> Path | None:
    if not push_list.error_file:
        return None
    return bridge.snapshot_dir() / push_list.error_file


def _text(value: Any) -> str:
    return "" if value is None else str(value)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _json_cells(header: list[str], row: list[Any]) -> str:
    out = {}
    for i, h in enumerate(header):
        if not h:
            continue
        value = row[i] if i < len(row) else None
        if isinstance(value, str):
            # As received, but without control characters (a NUL, which
            # PostgreSQL's JSON cannot hold).
            value = _CONTROL.sub(" ", value)
        elif isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        elif value is not None and not isinstance(value, str | int | float | bool):
            value = str(value)
        out[h] = value
    return json.dumps(out, ensure_ascii=False)


def _spool(file: str | Path | IO[bytes]) -> tuple[IO[bytes], Path | None]:
    """A seekable binary handle on the upload; a copy on disk when it is not seekable."""
    if isinstance(file, str | Path):
        return open(file, "rb"), None
    if hasattr(file, "seekable") and file.seekable():
        return file, None
    fd, name = tempfile.mkstemp(dir=_staging_dir("uploads"), suffix=".upload")
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(file, out)
    return open(name, "rb"), Path(name)


def do_import_push_list(
    source: PushSource,
    file: str | Path | IO[bytes],
    *,
    filename: str,
    acting_user,
    progress: Progress | None = None,
    received_at: dt.datetime | None = None,
    staging_name: str = "",
    mapping: dict[str, str] | None = None,
) -> PushList:
    """Import one push list file from ``source``; return the stored ``PushList``.

    ``file`` is a path or a binary file object; ``filename`` gives the format
    (.xlsx, .xls, .csv). ``progress(rows_done, rows_total_or_None, stage)`` is
    called as rows are read (stage "reading") and once before storing
    ("storing"). Raises ``PushListFileError`` for a file that cannot be read
    as a push list (wrong format, encoding, missing columns); nothing is
    stored then, nor when anything fails later. ``staging_name`` names the
    working file (``staging_path``), so that whoever finds the import killed
    can remove it.
    """
    fmt = file_format(filename)
    fh, spooled = _spool(file)
    staging = staging_path(staging_name or uuid.uuid4().hex)
    error_path: Path | None = None
    try:
        file_hash = hash_file(fh)
        existing = PushList.objects.filter(file_hash=file_hash).first()
        if existing is not None:
            audit.record(
                actor=acting_user,
                action="screening.push_list.repeat",
                obj=existing,
                detail={"filename": filename},
            )
            return existing
        rows, encoding, total = open_rows(fh, fmt)
        error_path = _staging_dir("errors") / f"{file_hash}.xlsx"
        notes: list[str] = []
        counts, error_count = _stage_rows(
            source,
            rows,
            staging,
            error_path,
            total=total,
            progress=progress,
            mapping=mapping,
            notes=notes,
        )
        if error_count == 0 and counts["warned"] == 0:
            error_path.unlink(missing_ok=True)
            error_path = None
        if progress:
            progress(counts["read"], counts["read"], "storing")
        push_list = _store(
            source,
            staging,
            filename=filename,
            file_hash=file_hash,
            fmt=fmt,
            encoding=encoding,
            counts=counts,
            error_count=error_count,
            error_path=error_path,
            acting_user=acting_user,
            received_at=received_at or timezone.now(),
            notes=notes,
        )
    except BaseException:
        if error_path is not None:
            error_path.unlink(missing_ok=True)
        raise
    finally:
        staging.unlink(missing_ok=True)
        # A file object the caller gave stays open; handles opened here close.
        if isinstance(file, str | Path) or spooled is not None:
            fh.close()
        if spooled is not None:
            spooled.unlink(missing_ok=True)
    return push_list


def _stage_rows(
    source: PushSource,
    rows,
    staging: Path,
    error_path: Path,
    *,
    total: int | None,
    progress: Progress | None,
    mapping: dict[str, str] | None,
    notes: list[str],
) -> tuple[dict[str, int], int]:
    header, first_row, header_notes = find_header(rows, source.column_mapping or {}, mapping)
    notes += header_notes
    header_text = [_text(h).strip() for h in header]
    columns = map_columns(header, {**(source.column_mapping or {}), **(mapping or {})})
    unread = unmapped_headers(header, columns)
    if unread:
        notes.append(
            _("Columns not read: %(columns)s (they can be mapped before importing).")
            % {"columns": "、".join(unread)}
        )
    today = china_today()
    counts = {"read": 0, "staged": 0, "repeated": 0, "warned": 0}
    seen: set[str] = set()
    batch: list[dict[str, Any]] = []
    with (
        ErrorFile(error_path, header) as errors,
        pq.ParquetWriter(staging, STAGING_SCHEMA) as writer,
    ):

        def flush() -> None:
            fresh = _drop_stored(batch, counts)
            if fresh:
                writer.write_table(pa.Table.from_pylist(fresh, schema=STAGING_SCHEMA))
                counts["staged"] += len(fresh)
            batch.clear()
            if progress:
                progress(counts["read"], total, "reading")

        for number, row in enumerate(rows, start=first_row + 1):
            if not any(cell not in (None, "") for cell in row):
                continue
            if is_totals_row(row):
                notes.append(_("Row %(row)d sums the list up; skipped.") % {"row": number})
                continue
            counts["read"] += 1
            clean = clean_row(row, columns, today)
            if clean.errors or clean.warnings:
                errors.add(list(row), clean.errors, clean.warnings, number)
            if clean.errors:
                continue
            values = clean.values
            key = fingerprint(source.pk, values)
            if key in seen:
                counts["repeated"] += 1
                continue
            seen.add(key)
            batch.append(
                {
                    "row_number": number,
                    "fingerprint": key,
                    **values,
                    "payload": _json_cells(header_text, list(row)),
                    "warnings": json.dumps(clean.warnings, ensure_ascii=False),
                }
            )
            if len(batch) >= BATCH:
                flush()
        flush()
    counts["warned"] = errors.warned
    return counts, errors.count


def find_header(
    rows: Iterator[list[Any]], saved: dict[str, str], mapping: dict[str, str] | None = None
) -> tuple[list[Any], int, list[str]]:
    """The header row among the first ``HEADER_SEARCH_ROWS`` (title rows above
    it are skipped), its row number and a note when it is not the first row;
    ``rows`` is left at the row after it. A file without such a row is
    refused, naming the columns its first row lacks."""
    wanted = {**saved, **(mapping or {})}
    seen: list[list[Any]] = []
    for row in rows:
        seen.append(row)
        if is_header(row, wanted):
            number = len(seen)
            notes = []
            if number > 1:
                notes.append(
                    _("The header is on row %(row)d; the %(count)d rows above it were skipped.")
                    % {"row": number, "count": number - 1}
                )
            return row, number, notes
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    if not seen:
        raise PushListFileError(_("The file is empty: it has no header row."))
    map_columns(seen[0], wanted)  # says which columns the first row lacks
    raise PushListFileError(
        _("No header row in the first %(count)d rows: name the columns in the source's mapping.")
        % {"count": HEADER_SEARCH_ROWS}
    )


def preview_columns(
    source: PushSource,
    file: str | Path | IO[bytes],
    *,
    filename: str,
    mapping: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What an import of ``file`` would read, before importing it: the header's
    row, each column and the field it fills (or none), the columns no field
    reads, and a refusal if the file cannot be imported as it stands. Reads
    the first rows only; writes nothing."""
    fmt = file_format(filename)
    fh, spooled = _spool(file)
    try:
        rows, encoding, _total = open_rows(fh, fmt)
        saved = source.column_mapping or {}
        try:
            header, number, notes = find_header(rows, saved, mapping)
            columns = map_columns(header, {**saved, **(mapping or {})})
            problem = ""
        except PushListFileError as error:
            header, number, notes, problem = [], 0, [], str(error)
            columns = {}
        by_index = {i: f for f, i in columns.items()}
        return {
            "encoding": encoding,
            "header_row": number,
            "columns": [
                {
                    "header": _text(h).strip(),
                    "field": by_index.get(i, ""),
                    "label": str(FIELDS[by_index[i]]) if i in by_index else "",
                }
                for i, h in enumerate(header)
                if _text(h).strip()
            ],
            "unmapped": unmapped_headers(header, columns),
            "notes": notes,
            "problem": problem,
        }
    finally:
        if isinstance(file, str | Path) or spooled is not None:
            fh.close()
        if spooled is not None:
            spooled.unlink(missing_ok=True)


def _drop_stored(batch: list[dict[str, Any]], counts: dict[str, int]) -> list[dict[str, Any]]:
    keys = [r["fingerprint"] for r in batch]
    stored = set(
        PushRecord.objects.filter(fingerprint__in=keys).values_list("fingerprint", flat=True)
    )
    counts["repeated"] += len(stored)
    return [r for r in batch if r["fingerprint"] not in stored]


@transaction.atomic
def _store(
    source: PushSource,
    staging: Path,
    *,
    filename: str,
    file_hash: str,
    fmt: str,
    encoding: str,
    counts: dict[str, int],
    error_count: int,
    error_path: Path | None,
    acting_user,
    received_at: dt.datetime,
    notes: list[str],
) -> PushList:
    push_list = PushList.objects.create(
        source=source,
        filename=filename[:255],
        file_hash=file_hash,
        file_format=fmt,
        encoding=encoding,
        rows_read=counts["read"],
        rows_stored=counts["staged"],
        rows_invalid=error_count,
        rows_repeated=counts["repeated"],
        rows_warned=counts["warned"],
        notes=notes,
        error_file=str(error_path.relative_to(bridge.snapshot_dir())) if error_path else "",
        received_at=received_at,
        received_by=actor_user(acting_user),
        received_by_name=actor_name(acting_user),
    )
    staged = pl.read_parquet(staging) if counts["staged"] else None
    summary: dict[str, Any] = {}
    if staged is not None and staged.height:
        summary = store_records(push_list, staged, acting_user=acting_user)
    audit.record(
        actor=acting_user,
        action="screening.push_list.import",
        obj=push_list,
        detail={
            "source": source.name,
            "filename": filename,
            "format": fmt,
            "encoding": encoding,
            "rows_read": counts["read"],
            "rows_stored": counts["staged"],
            "rows_invalid": error_count,
            "rows_repeated": counts["repeated"],
            "rows_warned": counts["warned"],
            "notes": notes,
            **summary,
        },
    )
    return push_list
