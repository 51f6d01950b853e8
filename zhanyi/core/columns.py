"""Which column of a file holds which field: headers as staff write them.

An import's files name their columns their own way (姓名 / 名字 / name). A
saved mapping (field → header) says which header holds which field; headers
it does not name are recognised by the common names the importing app lists
(its aliases). Headers compare without spaces, the ``*`` of a required column
or a note in brackets (``现住址（详细到门牌号）``), in lower case. Pushed lists
(screening) and the population register (people) read their columns here.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from zhanyi.core.tabular import cell_text

#: The header is looked for among this many first rows (title rows above it).
HEADER_SEARCH_ROWS = 10


def header_key(header: str) -> str:
    """A header as compared: no spaces, marks of a required column (``*``) nor
    notes in brackets, lower case."""
    key = re.sub(r"[(（][^)）]*[)）]|[\s*＊:：]", "", header).lower()
    return key or re.sub(r"\s+", "", header).lower()


def recognise(
    header: Sequence[Any],
    fields: Collection[str],
    aliases: Mapping[str, Sequence[str]],
    mapping: Mapping[str, str],
) -> dict[str, int]:
    """Field → column index of what ``header`` names (the mapping first, then
    the aliases), refusing nothing."""
    keys = [header_key(cell_text(h)) for h in header]
    found: dict[str, int] = {}
    for field_name, wanted in mapping.items():
        if field_name in fields and wanted and header_key(wanted) in keys:
            found[field_name] = keys.index(header_key(wanted))
    for field_name, names in aliases.items():
        for alias in names:
            if field_name not in found and header_key(alias) in keys:
                found[field_name] = keys.index(header_key(alias))
    return found


def missing_mapped(
    header: Sequence[Any], fields: Collection[str], mapping: Mapping[str, str]
) -> list[tuple[str, str]]:
    """(field, header) of the mapping whose header is not in ``header``."""
    keys = {header_key(cell_text(h)) for h in header}
    return [
        (field_name, wanted)
        for field_name, wanted in mapping.items()
        if field_name in fields and wanted and header_key(wanted) not in keys
    ]


def unread(
    header: Sequence[Any], columns: Mapping[str, int], skip: Collection[str] = ()
) -> list[str]:
    """Headers of columns no field reads (what the user may want to map);
    ``skip``: header keys that are no data (an error file's own columns)."""
    used = set(columns.values())
    return [
        cell_text(h)
        for i, h in enumerate(header)
        if i not in used and cell_text(h) and header_key(cell_text(h)) not in skip
    ]
