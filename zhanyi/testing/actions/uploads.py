"""Offline uploads (离线上传): a sampling point's shift of tubes sent at once.

Where the network fails (a village hall, a sealed compound's basement) the
sampling app keeps scanning offline and sends the shift when it can: as JSON
through the API, or as a file (CSV in UTF-8, GBK or GB18030, or xlsx) that
the data staff upload on the web page or with ``zhanyi testing samples
import``. One row per swab:

    barcode, site, sampled_at, person[, closed_at]

``person`` is what the phone scanned: the health-code QR payload, an
identity number or a person number, read as a scan reads it
(``scanning.parse_code``). Rows are grouped into tubes by barcode; the codes
of all tubes are resolved together, and the tubes go through the bulk path
(``do_import_samples``) with its rules: a tube with an unknown person, a
person sampled twice, more swabs than the pool size, a barcode in use, an
unknown site or a time outside the round is refused whole, with the file
line of its first swab; the other tubes are stored. A site outside the
uploader's jurisdiction, or a round out of their reach, refuses the whole
upload. Nothing is half-stored: the upload is one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

from zhanyi.core.tabular import TableFileError, cell_text, open_rows

from .bulk import SampleImport, TubeUpload, do_import_samples
from .common import Problem, aware, missing_columns, parse_time
from .scanning import parse_code, resolve_codes

UPLOAD_COLUMNS = ("barcode", "site", "sampled_at", "person")
MAX_UPLOAD_ROWS = 200_000
_RESOLVE_CHUNK = 1_000


@dataclass(frozen=True)
class SwabRow:
    """One swab of an upload: a file line (or an API item) before its tube is formed."""

    line: int
    barcode: str
    site: int
    sampled_at: dt.datetime
    code: str
    closed_at: dt.datetime | None = None


def _time(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return aware(value)
    return parse_time(cell_text(value))


def _time_field(line: int, raw: dict, name: str) -> dt.datetime | Problem:
    try:
        return _time(raw.get(name))
    except ValueError:
        return Problem(
            line,
            name,
            "invalid",
            _("Not a date and time (2021-09-12 08:30)."),
            cell_text(raw.get(name)),
        )


def swab_row(line: int, raw: dict) -> SwabRow | Problem:
    """One row (a file line or an API item) as a ``SwabRow``, or the problem with it."""
    barcode = cell_text(raw.get("barcode"))
    if not barcode:
        return Problem(line, "barcode", "required", _("The barcode is empty."))
    site = cell_text(raw.get("site"))
    if not site.isdigit():
        return Problem(line, "site", "invalid", _("The site is a sampling site's number."), site)
    sampled_at = _time_field(line, raw, "sampled_at")
    if isinstance(sampled_at, Problem):
        return sampled_at
    closed_at: dt.datetime | None = None
    if cell_text(raw.get("closed_at")):
        closed = _time_field(line, raw, "closed_at")
        if isinstance(closed, Problem):
            return closed
        closed_at = closed
    code = cell_text(raw.get("person"))
    if parse_code(code) is None:
        return Problem(
            line,
            "person",
            "unreadable",
            _("Unreadable code: not a health-code QR, an identity number or a person number."),
            code,
        )
    return SwabRow(line, barcode, int(site), sampled_at, code, closed_at)


def read_sample_file(fh: IO[bytes], filename: str) -> tuple[list[SwabRow], list[Problem]]:
    """The swabs of an upload file, and the problems of its lines (line 1 is the header)."""
    fmt = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if fmt not in ("csv", "xlsx", "xls"):
        return [], [
            Problem(
                None,
                "file",
                "format",
                _("The file %(name)s is not a CSV or Excel file.") % {"name": filename},
            )
        ]
    try:
        rows, _encoding, _count = open_rows(fh, fmt)
        return _swab_rows(rows)
    except TableFileError as error:
        return [], [Problem(None, "file", "unreadable", str(error))]


def _swab_rows(rows: Iterator[list[Any]]) -> tuple[list[SwabRow], list[Problem]]:
    header = [cell_text(h).lower() for h in next(rows, [])]
    problem = missing_columns(
        header,
        UPLOAD_COLUMNS,
        _("Missing columns: %(cols)s (expected barcode,site,sampled_at,person)."),
    )
    if problem:
        return [], problem
    swabs: list[SwabRow] = []
    problems: list[Problem] = []
    for line, cells in enumerate(rows, start=2):
        if line - 1 > MAX_UPLOAD_ROWS:
            problems.append(
                Problem(line, "file", "too_long", _("More rows than one file may carry."))
            )
            break
        if not any(cell_text(c) for c in cells):
            continue  # a blank line, as spreadsheets leave at the end
        raw = dict(zip(header, cells, strict=False))
        row = swab_row(line, raw)
        if isinstance(row, Problem):
            problems.append(row)
        else:
            swabs.append(row)
    return swabs, problems


def tubes_of(swabs: Sequence[SwabRow]) -> tuple[list[TubeUpload], list[Problem]]:
    """The tubes the swabs form (grouped by barcode, in the order of their first
    swab), their codes resolved to persons; a tube whose rows disagree (site,
    time) or that holds an unknown person is refused with its first line."""
    by_barcode: dict[str, list[SwabRow]] = {}
    for swab in swabs:
        by_barcode.setdefault(swab.barcode, []).append(swab)
    persons = {}
    codes = sorted({s.code for s in swabs})
    for start in range(0, len(codes), _RESOLVE_CHUNK):
        persons.update(resolve_codes(codes[start : start + _RESOLVE_CHUNK]))
    tubes: list[TubeUpload] = []
    problems: list[Problem] = []
    for barcode, rows in by_barcode.items():
        first = rows[0]
        other = next(
            (r for r in rows if (r.site, r.sampled_at) != (first.site, first.sampled_at)), None
        )
        if other is not None:
            problems.append(
                Problem(
                    other.line,
                    "site" if other.site != first.site else "sampled_at",
                    "inconsistent",
                    _("Tube %(b)s: every swab of a tube has the same site and time.")
                    % {"b": barcode},
                    barcode,
                )
            )
            continue
        unknown = [r for r in rows if r.code not in persons]
        if unknown:
            problems.append(
                Problem(
                    unknown[0].line,
                    "person",
                    "unknown",
                    _("Unknown code: no person in the index has it."),
                    unknown[0].code,
                )
            )
            continue
        closed = [r.closed_at for r in rows if r.closed_at is not None]
        tubes.append(
            TubeUpload(
                barcode=barcode,
                site_id=first.site,
                person_ids=tuple(persons[r.code].pk for r in rows),
                sampled_at=first.sampled_at,
                closed_at=max(closed) if closed else None,
                row=first.line,
            )
        )
    return tubes, problems


def do_upload_samples(
    *,
    acting_user,
    round,
    swabs: Sequence[SwabRow],
    parse_problems: Iterable[Problem] = (),
    request=None,
) -> SampleImport:
    """Store an upload's tubes in ``round`` (see the module); the refused lines
    of the file and of its tubes are in ``refused``, ordered by line."""
    tubes, problems = tubes_of(swabs)
    problems = [*parse_problems, *problems]
    out = do_import_samples(
        acting_user=acting_user, round=round, tubes=tubes, request=request, problems=problems
    )
    out.refused.sort(key=lambda p: (p.row is None, p.row or 0))
    return out
