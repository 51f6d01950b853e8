"""Cells written into the spreadsheets people download (reply lists, error files).

What users typed (a note, a pushed row's address) goes out as text, never as a
formula: a value starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is stored as a string cell marked *quote prefix*, so Excel and WPS show
it as typed and keep it text when it is edited (CSV/formula injection, OWASP).
Control characters that xlsx cannot hold (openpyxl refused the whole file) are
replaced by U+FFFD, so one stray byte in a note does not lose the download.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from zhanyi.core.files import write_whole

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
REPLACEMENT = "\ufffd"


def clean_text(value: str) -> str:
    """``value`` without the control characters a spreadsheet cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value)


def text_cells(sheet, values: Iterable[Any]) -> list[Any]:
    """A row for ``sheet.append`` (a write-only sheet): strings as text cells."""
    row: list[Any] = []
    for value in values:
        if not isinstance(value, str):
            row.append(value)
            continue
        cell = WriteOnlyCell(sheet, value=clean_text(value))
        cell.data_type = "s"  # openpyxl takes a leading "=" for a formula
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
        row.append(cell)
    return row


class ErrorFile:
    """An import's error file: the rows refused and the rows stored with
    warnings, each as received with its reasons and row number, written as they
    are found (openpyxl write-only), for the sender to fix and send again.
    Pushed lists (screening) and the population register (people) write it."""

    def __init__(self, path: Path, header: list[Any]) -> None:
        import openpyxl

        self.path = path
        self.book = openpyxl.Workbook(write_only=True)
        self.sheet = self.book.create_sheet(_("Rows with errors"))
        self.sheet.append(
            text_cells(
                self.sheet,
                [
                    *("" if h is None else str(h) for h in header),
                    _("Errors"),
                    _("Warnings"),
                    _("Row"),
                ],
            )
        )
        self.width = len(header)
        self.count = 0
        self.warned = 0

    def add(self, row: list[Any], errors: list[str], warnings: list[str], number: int) -> None:
        # As typed, but never a live formula nor a character xlsx cannot hold.
        cells = [*row[: self.width], *([None] * (self.width - len(row)))]
        self.sheet.append(
            text_cells(self.sheet, [*cells, "；".join(errors), "；".join(warnings), number])
        )
        if errors:
            self.count += 1
        else:
            self.warned += 1

    def close(self) -> None:
        # Whole or not at all: a full disk leaves no truncated error file. The
        # workbook is put together in memory first, so a disk that fills while
        # the file is written never leaves openpyxl's zip writer half-open.
        content = io.BytesIO()
        self.book.save(content)
        with write_whole(self.path) as fh:
            fh.write(content.getbuffer())

    def discard(self) -> None:
        """Let the file go unwritten (the import failed): the sheet's writer is
        closed and its temporary file removed, so nothing is left half-written."""
        self.sheet.close()
        writer = getattr(self.sheet, "_writer", None)
        if writer is not None and isinstance(writer.out, str):
            Path(writer.out).unlink(missing_ok=True)

    def __enter__(self) -> ErrorFile:
        return self

    def __exit__(self, kind, error, trace) -> None:
        """Written when the block ends, discarded when it fails."""
        if kind is None:
            self.close()
        else:
            self.discard()
