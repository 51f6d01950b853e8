"""Reading tables row by row: xlsx, xls and csv in UTF-8, UTF-8 with BOM, GBK, GB18030.

What data staff send is what Excel saves: on a Chinese Windows a CSV is GBK
unless they choose otherwise. Push lists (screening) and sampling points'
offline files (testing) are read here.

Nothing here holds a whole file: xlsx is read with openpyxl in read-only mode,
csv is decoded as it streams. Only xls (the old binary format, which xlrd
cannot stream) is opened whole; such files are small by nature (65,536 rows at
most). Each reader yields the header row first, then the data rows as lists of
cell values.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterator
from typing import IO, Any

from django.utils.translation import gettext as _

FORMATS = ("xlsx", "xls", "csv")
# Tried in this order; GBK before GB18030 so that a plain GBK file is named so.
CSV_ENCODINGS = ("utf-8-sig", "gbk", "gb18030")
_CHUNK = 1 << 20


class TableFileError(ValueError):
    """A file that cannot be read as a table; the message says why."""


def hash_file(fh: IO[bytes]) -> str:
    digest = hashlib.sha256()
    fh.seek(0)
    while chunk := fh.read(_CHUNK):
        digest.update(chunk)
    fh.seek(0)
    return digest.hexdigest()


def count_lines(fh: IO[bytes]) -> int:
    """Lines in a text file, counted in binary chunks (for the progress bar)."""
    fh.seek(0)
    count = 0
    while chunk := fh.read(_CHUNK):
        count += chunk.count(b"\n")
    fh.seek(0)
    return count


def detect_encoding(fh: IO[bytes]) -> str:
    """The first of UTF-8 (with or without BOM), GBK and GB18030 that decodes the
    whole file, read in chunks; ``utf-8-sig`` names a file that starts with a BOM."""
    fh.seek(0)
    has_bom = fh.read(3) == codecs.BOM_UTF8
    for encoding in CSV_ENCODINGS:
        fh.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        fh.seek(0)
        if encoding == "utf-8-sig" and not has_bom:
            return "utf-8"
        return encoding
    fh.seek(0)
    raise TableFileError(
        _("The file is not text in UTF-8, GBK or GB18030; save it as UTF-8 CSV or as xlsx.")
    )


def csv_error(error: csv.Error, line: int) -> TableFileError:
    """What the csv module's refusal means, and where (issue 14, finding 13: a cell
    over its field limit was a 500)."""
    if "field larger than field limit" in str(error):
        return TableFileError(
            _(
                "Line %(line)s: a cell is longer than %(limit)s characters (often a quote "
                "that is never closed, which makes the rest of the file one cell)."
            )
            % {"line": line, "limit": f"{csv.field_size_limit():,}"}
        )
    return TableFileError(
        _("Line %(line)s cannot be read as CSV: %(error)s") % {"line": line, "error": error}
    )


def _csv_rows(fh: IO[bytes], encoding: str) -> Iterator[list[Any]]:
    fh.seek(0)
    text = io.TextIOWrapper(fh, encoding=encoding, newline="")
    reader = csv.reader(text)
    try:
        try:
            yield from reader
        except csv.Error as error:
            raise csv_error(error, reader.line_num) from None
    finally:
        # Leave the caller's handle open (it may already be closed).
        with contextlib.suppress(ValueError):
            text.detach()


def check_xlsx_size(fh: IO[bytes]) -> None:
    """Refuse a workbook that expands beyond ``XLSX_MAX_EXPANDED_MB`` when opened
    (issue 14, finding 7: a 0.7 MB workbook expanding to 212 MB lifted a process by
    hundreds of MB). The sizes are the zip's own records of each part, which
    reading keeps to (a part longer than recorded fails its check)."""
    import zipfile

    from django.conf import settings

    limit = int(settings.XLSX_MAX_EXPANDED_MB) * 1024 * 1024
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise TableFileError(
            _("The file cannot be read as xlsx: %(error)s") % {"error": error}
        ) from None
    finally:
        fh.seek(0)
    if expanded > limit:
        raise TableFileError(
            _(
                "The workbook expands to %(size)s MB when opened, more than the %(limit)s MB "
                "allowed: save it as CSV, or split it into several files."
            )
            % {"size": f"{expanded / 1024 / 1024:,.0f}", "limit": settings.XLSX_MAX_EXPANDED_MB}
        )


def _open_xlsx(fh: IO[bytes]):
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_xlsx_size(fh)
    try:
        return openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise TableFileError(
            _("The file cannot be read as xlsx: %(error)s") % {"error": error}
        ) from None


def _xlsx_rows(book) -> Iterator[list[Any]]:
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def _xls_rows(fh: IO[bytes]) -> Iterator[list[Any]]:
    import xlrd

    fh.seek(0)
    data = fh.read()
    if not data:
        # xlrd reads a file by name when given no bytes.
        raise TableFileError(_("The file is empty: it has no header row."))
    try:
        book = xlrd.open_workbook(file_contents=data)
        sheet = book.sheet_by_index(0)
    except Exception as error:  # xlrd raises anything on a broken file
        raise TableFileError(
            _("The file cannot be read as xls: %(error)s") % {"error": error}
        ) from None
    for r in range(sheet.nrows):
        row = []
        for cell in sheet.row(r):
            if cell.ctype == xlrd.XL_CELL_DATE:
                row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
            elif cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer():
                row.append(int(cell.value))
            else:
                row.append(cell.value)
        yield row


def open_rows(fh: IO[bytes], fmt: str) -> tuple[Iterator[list[Any]], str, int | None]:
    """Rows of the file (header first), the encoding used ('' for spreadsheets)
    and the number of data rows when the file says it (for the progress bar)."""
    if fmt == "csv":
        encoding = detect_encoding(fh)
        return _csv_rows(fh, encoding), encoding, max(count_lines(fh) - 1, 0)
    if fmt == "xlsx":
        book = _open_xlsx(fh)
        # The sheet's recorded dimension; files from some tools lack it.
        max_row = book.worksheets[0].max_row if book.worksheets else None
        return _xlsx_rows(book), "", (max_row - 1) if max_row else None
    if fmt == "xls":
        return _xls_rows(fh), "", None
    raise TableFileError(_("Unknown format %(fmt)s.") % {"fmt": fmt})


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def cell_text(value: Any) -> str:
    """A cell as one line of text: whitespace runs and control characters (a NUL,
    which PostgreSQL cannot store, a stray \x01 from another system) become one space."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return " ".join(_CONTROL.sub(" ", str(value)).split())
