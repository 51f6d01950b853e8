"""Push lists are read by ``zhanyi.core.tabular`` (xlsx, xls, csv in UTF-8,
GBK or GB18030, streamed); this module adds what is particular to them."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from zhanyi.core.tabular import FORMATS, cell_text, hash_file, open_rows
from zhanyi.core.tabular import TableFileError as PushListFileError

__all__ = ["FORMATS", "PushListFileError", "cell_text", "file_format", "hash_file", "open_rows"]


def file_format(filename: str) -> str:
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise PushListFileError(
            _("The file %(name)s is not a push list: expected .xlsx, .xls or .csv.")
            % {"name": filename}
        )
    return suffix
