"""PostgreSQL bulk paths shared by the apps: COPY of ready-made lines, and
long value lists as one array literal.

A contact graph or a city round moves hundreds of thousands of rows at once;
the driver adapting and quoting values one by one costs more than the
database's work. Callers keep an ORM path for SQLite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection


def copy_lines(
    table: str, columns: Sequence[str], lines: Iterable[str], chunk: int = 50_000
) -> None:
    """COPY ready-made lines of COPY's text format into ``table`` (names
    unquoted), ``chunk`` items at a time (an item may hold several lines).
    The caller escapes what needs escaping in its values."""
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(table)} ({cols}) FROM STDIN") as copy,
    ):
        pending: list[str] = []
        for line in lines:
            pending.append(line)
            if len(pending) == chunk:
                copy.write("".join(pending))
                pending.clear()
        if pending:
            copy.write("".join(pending))


def array_literal(values: Iterable) -> str:
    """PostgreSQL's text form of an array of numbers, strings or datetimes
    (``None`` is NULL), made by whole-string operations: the driver would
    adapt and quote a list element by element, seconds for a round's hundred
    thousand tubes."""
    values = list(values)
    if not values:
        return "{}"
    if all(type(v) is int for v in values):
        return "{" + ",".join(map(str, values)) + "}"
    if any(v is None for v in values):
        return "{" + ",".join(map(_array_element, values)) + "}"
    texts = [v.isoformat() if isinstance(v, dt.datetime) else str(v) for v in values]
    # Every element quoted, quotes and backslashes escaped: once over the
    # joined text, with a separator no stored text holds (PostgreSQL text
    # cannot contain NUL).
    joined = "\0".join(texts)
    if joined.count("\0") != len(texts) - 1:
        return "{" + ",".join(map(_array_element, values)) + "}"
    joined = joined.replace("\\", "\\\\").replace('"', '\\"')
    return '{"' + joined.replace("\0", '","') + '"}'


def _array_element(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    text = value.isoformat() if isinstance(value, dt.datetime) else str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
