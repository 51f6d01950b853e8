"""What the loads of division codes, boundaries and places share.

The files are read by ``zhanyi.core.tabular`` (xlsx, xls, CSV in UTF-8, GBK or
GB18030, streamed), as push lists, sampling points' files and rosters are. The
header is looked for among the first rows (a title above it is skipped) and
its columns found by their Chinese or English names, or by the names the user
maps (``mapping``: field → header). Each load keeps a ``DataLoad`` record with
its counts and problems, and an error file: the refused rows as sent, with a
column saying what to fix, for the sender to correct and load again. Loading a
file again is harmless: rows already stored as they are count as unchanged.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.spreadsheet import text_cells
from zhanyi.core.tabular import FORMATS, TableFileError, cell_text, hash_file, open_rows
from zhanyi.places.models import Area, CoordinateSystem, DataLoad

#: ``progress(rows_done, rows_total_or_None)`` as a file is read.
Progress = Callable[[int, int | None], None]

#: The header is looked for among this many first rows.
HEADER_SEARCH_ROWS = 10
#: Problems kept in full on the load's record (all of them go to the error file).
MAX_PROBLEMS = 1000


class LoadFileError(ValueError):
    """A file that cannot be loaded at all (format, encoding, columns); nothing stored."""


@dataclass
class LoadResult:
    """What a load did: its record, and every problem by row."""

    load: DataLoad
    problems: list[dict] = field(default_factory=list)

    @property
    def errors(self) -> list[dict]:
        return [p for p in self.problems if not p.get("warning")]

    @property
    def warnings(self) -> list[dict]:
        return [p for p in self.problems if p.get("warning")]


def problem(row: int, column: str, message: str, value: Any = "", *, warning=False) -> dict:
    return {
        "row": row,
        "column": column,
        "message": str(message),
        "value": cell_text(value),
        "warning": warning,
    }


def key(text: Any) -> str:
    """A header as compared: no spaces, required marks (``*``) nor notes in
    brackets, lower case (as screening compares a push list's headers)."""
    raw = cell_text(text).lstrip("\ufeff")
    k = re.sub(r"[(（][^)）]*[)）]|[\s*＊:：]", "", raw).lower()
    return k or re.sub(r"\s+", "", raw).lower()


def columns_of(
    header: Sequence[Any], aliases: Mapping[str, tuple[str, ...]], mapping: Mapping[str, str]
) -> dict[str, int]:
    """Field → column index: the user's mapping first, then the known names."""
    keys = [key(h) for h in header]
    found: dict[str, int] = {}
    for name, wanted in mapping.items():
        if name in aliases and wanted and key(wanted) in keys:
            found[name] = keys.index(key(wanted))
    for name, names in aliases.items():
        if name in found:
            continue
        for alias in names:
            if key(alias) in keys and keys.index(key(alias)) not in found.values():
                found[name] = keys.index(key(alias))
                break
    return found


def check_coordinate_system(system: str) -> str:
    if system not in CoordinateSystem.values:
        raise LoadFileError(
            _("Unknown coordinate system %(system)s (known: %(known)s).")
            % {"system": system, "known": ", ".join(CoordinateSystem.values)}
        )
    return system


def file_format(filename: str, allowed: Sequence[str] = FORMATS) -> str:
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in allowed:
        raise LoadFileError(
            _("%(name)s cannot be loaded here: expected %(formats)s.")
            % {"name": filename, "formats": ", ".join(f".{f}" for f in allowed)}
        )
    return suffix


@dataclass
class Table:
    """A table file opened: its header, the field → column map, the data rows
    with their row numbers in the file, the encoding and the size if known."""

    header: list[Any]
    columns: dict[str, int]
    rows: Iterator[tuple[int, list[Any]]]
    encoding: str
    total: int | None

    def get(self, cells: list[Any], name: str) -> Any:
        index = self.columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    def text(self, cells: list[Any], name: str) -> str:
        return cell_text(self.get(cells, name))


def open_table(
    fh: IO[bytes],
    fmt: str,
    aliases: Mapping[str, tuple[str, ...]],
    required: Sequence[str],
    mapping: Mapping[str, str] | None = None,
) -> Table:
    """The file as a ``Table``; refuses one whose header lacks a required column,
    naming the columns it looks for."""
    mapping = dict(mapping or {})
    unknown = [name for name in mapping if name not in aliases]
    if unknown:
        raise LoadFileError(
            _("Unknown field(s) in the mapping: %(names)s (known: %(known)s).")
            % {"names": ", ".join(unknown), "known": ", ".join(aliases)}
        )
    try:
        rows, encoding, total = open_rows(fh, fmt)
        seen: list[list[Any]] = []
        for row in rows:
            seen.append(list(row))
            columns = columns_of(row, aliases, mapping)
            if all(name in columns for name in required):
                number = len(seen)

                def numbered(start: int = number) -> Iterator[tuple[int, list[Any]]]:
                    for line, cells in enumerate(rows, start=start + 1):
                        if any(cell_text(c) for c in cells):
                            yield line, list(cells)

                return Table(
                    list(row),
                    columns,
                    numbered(),
                    encoding,
                    None if total is None else max(total - number + 1, 0),
                )
            if len(seen) >= HEADER_SEARCH_ROWS:
                break
    except TableFileError as error:
        raise LoadFileError(str(error)) from None
    if not seen:
        raise LoadFileError(_("The file is empty: it has no header row."))
    found = columns_of(seen[0], aliases, mapping)
    missing = [name for name in required if name not in found]
    raise LoadFileError(
        _("No header row with the column(s) %(missing)s: name them, for example %(examples)s.")
        % {
            "missing": ", ".join(missing),
            "examples": "; ".join(f"{name}: {'、'.join(aliases[name][:3])}" for name in missing),
        }
    )


class RefusedRows:
    """The rows refused, as sent, each with what to fix (the error file)."""

    def __init__(self, header: Sequence[Any]) -> None:
        self.header = [cell_text(h) for h in header]
        self.rows: list[tuple[list[Any], str, int]] = []

    def add(self, number: int, cells: list[Any], problems: list[dict]) -> None:
        self.rows.append((cells, "；".join(p["message"] for p in problems), number))

    def workbook(self) -> bytes | None:
        if not self.rows:
            return None
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("Refused rows"))
        sheet.append(text_cells(sheet, [*self.header, _("What to fix"), _("Row")]))
        width = len(self.header)
        for cells, fix, number in sorted(self.rows, key=lambda r: r[2]):
            values = [cell_text(c) for c in cells[:width]] + [""] * (width - len(cells))
            sheet.append(text_cells(sheet, [*values, fix, number]))
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def record_load(
    *,
    kind: str,
    filename: str,
    fh: IO[bytes] | None,
    encoding: str,
    counts: Mapping[str, int],
    problems: list[dict],
    refused: RefusedRows | None,
    notes: list[str],
    acting_user,
    within: Area | None = None,
    request=None,
    coordinate_system: str = "wgs84",
    load: DataLoad | None = None,
) -> LoadResult:
    """The load's record (``load``: the one a page's upload queued, now
    done) and its audit event, in the caller's transaction."""
    load = load or DataLoad(kind=kind)
    values = {
        "area": within,
        "filename": filename[:255],
        "file_hash": hash_file(fh) if fh is not None else "",
        "encoding": encoding,
        "coordinate_system": coordinate_system,
        "rows_read": counts.get("read", 0),
        "rows_done": counts.get("read", 0),
        "created": counts.get("created", 0),
        "updated": counts.get("updated", 0),
        "unchanged": counts.get("unchanged", 0),
        "refused": counts.get("refused", 0),
        "warned": counts.get("warned", 0),
        "problems": problems[:MAX_PROBLEMS],
        "notes": notes,
        "error_file": refused.workbook() if refused is not None else None,
        "loaded_at": timezone.now(),
        "loaded_by_name": actor_name(acting_user),
        "status": DataLoad.Status.DONE,
        "message": "",
        "upload_path": "",
    }
    for name, value in values.items():
        setattr(load, name, value)
    if load.loaded_by_id is None and isinstance(acting_user, get_user_model()):
        load.loaded_by = acting_user
    load.save()
    audit.record(
        actor=acting_user,
        action=f"places.load.{kind}",
        obj=load,
        area=within,
        detail={
            "file": filename,
            **{k: counts.get(k, 0) for k in ("read", "created", "updated", "unchanged")},
            "refused": counts.get("refused", 0),
            "warned": counts.get("warned", 0),
            "coordinate_system": coordinate_system,
        },
        request=request,
    )
    return LoadResult(load, problems)
