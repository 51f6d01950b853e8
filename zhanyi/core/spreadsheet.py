"""Cells written into the spreadsheets people download (reply lists, error files).

What users typed (a note, a pushed row's address) goes out as text, never as a
formula: a value starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is stored as a string cell marked *quote prefix*, so Excel and WPS show
it as typed and keep it text when it is edited (CSV/formula injection, OWASP).
Control characters that xlsx cannot hold (openpyxl refused the whole file) are
replaced by U+FFFD, so one stray byte in a note does not lose the download.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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
