"""PostgreSQL bulk paths of the tracing app: tables in and out with COPY.

A contact graph moves hundreds of thousands of rows at once; row-by-row
Python (model instances, per-value adaptation) costs more than the database
work. These helpers stream CSV through ``COPY`` to and from Polars frames.
Times travel as whole microseconds since the epoch (exact), never as text.
Only ``connection.vendor == "postgresql"`` callers use them; every caller
keeps an ORM path for SQLite.
"""

from __future__ import annotations

import io

import polars as pl
import psycopg
from django.db import connection

from zhanyi.core.pgbulk import array_literal

TS = pl.Datetime("us", "UTC")


def epoch_us(column: str) -> str:
    """SQL for a timestamptz column as exact whole microseconds since the epoch."""
    return f"(extract(epoch from {column}) * 1000000)::bigint"


def _literal_sql(sql: str, params: list) -> str:
    return psycopg.ClientCursor(connection.connection).mogrify(sql, params)


def copy_out(sql: str, params: list, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The rows of ``sql`` as a frame with ``schema`` (datetime columns
    selected with ``epoch_us``)."""
    connection.ensure_connection()
    buffer = io.BytesIO()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY ({_literal_sql(sql, params)}) TO STDOUT WITH (FORMAT csv)"
        ) as copy,
    ):
        for chunk in copy:
            buffer.write(chunk)
    if buffer.tell() == 0:
        return pl.DataFrame(schema=schema)
    raw = {name: (pl.Int64 if dtype == TS else dtype) for name, dtype in schema.items()}
    frame = pl.read_csv(buffer.getvalue(), has_header=False, new_columns=list(schema), schema=raw)
    return frame.with_columns(
        [pl.col(name).cast(TS) for name, dtype in schema.items() if dtype == TS]
    )


def copy_in(table: str, frame: pl.DataFrame) -> None:
    """Append ``frame`` to ``table`` (columns by name; datetimes as ISO text)."""
    if frame.height == 0:
        return
    out = frame.with_columns(
        [
            pl.col(name).dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00")
            for name, dtype in frame.schema.items()
            if isinstance(dtype, pl.Datetime)
        ]
    )
    data = out.write_csv(include_header=False, null_value="")
    cols = ", ".join(connection.ops.quote_name(c) for c in frame.columns)
    # An empty unquoted field is NULL in CSV COPY; polars quotes empty strings.
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy,
    ):
        copy.write(data.encode())


def ids_sql(column: str, ids: list[int]) -> tuple[str, list]:
    """SQL selecting rows whose ``column`` is among ``ids`` (sorted): a range
    when they are dense (rows with ids between them that were not asked for
    come back too: the caller skips them), else an array written as one
    literal (psycopg quoting a large list element by element costs seconds)."""
    first, last = ids[0], ids[-1]
    if last - first < 4 * len(ids):
        return f"{column} BETWEEN %s AND %s", [first, last]
    return f"{column} = ANY(%s::bigint[])", [array_literal(ids)]


def reserve_ids(table: str, n: int) -> list[int]:
    """``n`` ids from ``table``'s id sequence, ascending, for rows COPYed with
    their ids (COPY cannot return the ids it generates)."""
    if n <= 0:
        return []
    with connection.cursor() as cursor:
        # The sequence's name looked up once: per row it costs more than nextval.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT string_agg(nextval(%s::regclass)::text, ',') FROM generate_series(1, %s)",
            [sequence, n],
        )
        (text,) = cursor.fetchone()
    return sorted(map(int, text.split(",")))
