"""Many rows at once: the one bulk-write (and bulk-read) layer.

A contact graph, a city's testing round or a pushed list moves hundreds of
thousands of rows; ``bulk_create`` prepares every value through the field
machinery and, on SQLite, cuts a wide insert into batches of a few dozen
rows, and psycopg adapting parameters one by one costs more than the
database's work. Every operation here chooses inside:

- PostgreSQL: ``COPY … FROM STDIN`` in binary format, each value encoded by
  psycopg's C dumpers for the column's type; upserts and inserts of new keys
  go through a scratch table and one ``INSERT … SELECT``.
- SQLite: one prepared ``INSERT`` run by ``executemany`` (``ON CONFLICT``
  for upserts), values adapted as the ORM adapts them.

Statements are built from the models' metadata only; every value travels as
data, never as SQL text. Callers give rows as tuples in the order of the
fields they name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper

from . import dialect

#: From this many rows on, ``insert_new`` first copies straight into the table.
DIRECT_FROM = 5000
#: Values per ``IN`` list on SQLite (its default limit is 32,766 parameters).
_SQLITE_CHUNK = 5000


def _memo(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``adapt`` once per distinct value: an import's rows share a timestamp
    and a few thousand dates."""
    cache: dict[Any, Any] = {}

    def adapted(value):
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = adapt(value)
            return result
        except TypeError:  # unhashable
            return adapt(value)

    return adapted


class Table:
    """``fields`` of ``model`` (names or attnames, in the rows' order) as a
    bulk operation writes them: quoted names, and how each value is adapted."""

    def __init__(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        connection: BaseDatabaseWrapper | None = None,
    ) -> None:
        self.connection = default_connection if connection is None else connection
        self.model = model
        self.fields = [model._meta.get_field(name) for name in fields]
        self.table = model._meta.db_table
        self.columns = [f.column for f in self.fields]
        quote = self.connection.ops.quote_name
        self.quoted_table = quote(self.table)
        self.quoted = [quote(c) for c in self.columns]
        self.copy = dialect.is_postgresql(self.connection)
        ops = self.connection.ops
        # Only dates, datetimes and JSON need the backend's adapter (on
        # PostgreSQL only JSON: psycopg dumps dates and times itself).
        self.adapted: list[tuple[int, Callable[[Any], Any]]] = []
        for i, f in enumerate(self.fields):
            if isinstance(f, models.JSONField):
                self.adapted.append((i, lambda v, enc=f.encoder: ops.adapt_json_value(v, enc)))
            elif self.copy:
                continue
            elif isinstance(f, models.DateTimeField):
                self.adapted.append((i, _memo(ops.adapt_datetimefield_value)))
            elif isinstance(f, models.DateField):
                self.adapted.append((i, _memo(ops.adapt_datefield_value)))

    def index(self, field: str) -> int:
        """The position of ``field`` (a name or attname) in the rows."""
        wanted = self.model._meta.get_field(field)
        return self.fields.index(wanted)

    def prepare(self, rows: Iterable[Sequence[Any]]) -> list[Sequence[Any]]:
        if not self.adapted:
            return rows if isinstance(rows, list) else list(rows)
        prepared = []
        for row in rows:
            values = list(row)
            for i, adapt in self.adapted:
                if values[i] is not None:
                    values[i] = adapt(values[i])
            prepared.append(values)
        return prepared

    def insert_sql(self, suffix: str = "") -> str:
        marks = ", ".join(["%s"] * len(self.columns))
        return (
            f"INSERT INTO {self.quoted_table} ({', '.join(self.quoted)}) VALUES ({marks}){suffix}"
        )


class Inserter:
    """Insert many rows of ``model``'s ``fields``, batch after batch: ``run(rows)``.

    Built once per import (the statement and the adapters); each ``run`` is
    one COPY on PostgreSQL and one ``executemany`` on SQLite.
    """

    def __init__(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        connection: BaseDatabaseWrapper | None = None,
    ) -> None:
        self.target = Table(model, fields, connection)
        self.sql = self.target.insert_sql()

    def run(self, rows: Iterable[Sequence[Any]]) -> None:
        rows = self.target.prepare(rows)
        if not rows:
            return
        t = self.target
        if t.copy:
            _copy(t.connection, t.table, t.columns, rows)
        else:
            with t.connection.cursor() as cursor:
                cursor.executemany(self.sql, rows)


def insert_many(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    connection: BaseDatabaseWrapper | None = None,
) -> None:
    """Insert ``rows`` (tuples in the order of ``fields``) into ``model``'s table."""
    Inserter(model, fields, connection).run(rows)


def upsert_many(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    key: Sequence[str],
    mostly_new: bool = False,
    connection: BaseDatabaseWrapper | None = None,
) -> None:
    """Insert ``rows``, replacing the other fields of a row whose ``key``
    fields (a unique constraint) exist already: two writers of one key at the
    same moment serialise on the row instead of colliding.

    ``mostly_new``: the caller expects few keys to exist, so on PostgreSQL the
    rows are first copied straight into the table (in a savepoint) and only
    if a key exists is the batch written again as an upsert."""
    t = Table(model, fields, connection)
    rows = t.prepare(rows)
    if not rows:
        return
    keys = [t.quoted[t.index(k)] for k in key]
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in t.quoted if c not in keys)
    conflict = f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    if not t.copy:
        with t.connection.cursor() as cursor:
            cursor.executemany(t.insert_sql(conflict), rows)
        return
    if mostly_new:
        try:
            with transaction.atomic(using=t.connection.alias):
                _copy(t.connection, t.table, t.columns, rows)
            return
        except IntegrityError:
            pass  # some keys exist: write the batch again as an upsert
    with transaction.atomic(using=t.connection.alias, savepoint=False):
        stage = _stage(t, rows)
        cols = ", ".join(t.quoted)
        with t.connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {t.quoted_table} ({cols}) SELECT {cols} FROM {stage}{conflict}"
            )
            cursor.execute(f"DROP TABLE {stage}")


def insert_new(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    key: str,
    count_by: str,
    direct_from: int = DIRECT_FROM,
    connection: BaseDatabaseWrapper | None = None,
) -> dict[Any, int]:
    """Insert the rows whose ``key`` (a unique field) is new, the first of
    rows sharing one; return how many were inserted by the value of their
    ``count_by`` field.

    Give the rows in key order: the key's index then grows at its right edge.
    On PostgreSQL a batch of ``direct_from`` rows or more is first copied
    straight into the table (in a savepoint), at COPY's speed; if a key exists
    already (a replay), or for a smaller batch, the rows go through a scratch
    table and only the new keys are inserted, in one statement."""
    t = Table(model, fields, connection)
    rows = t.prepare(rows)
    if not rows:
        return {}
    k, by = t.index(key), t.index(count_by)
    if not t.copy:
        existing: set = set()
        keys = [row[k] for row in rows]
        with t.connection.cursor() as cursor:
            for start in range(0, len(keys), _SQLITE_CHUNK):
                chunk = keys[start : start + _SQLITE_CHUNK]
                cursor.execute(
                    f"SELECT {t.quoted[k]} FROM {t.quoted_table} "
                    f"WHERE {t.quoted[k]} IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )
                existing.update(value for (value,) in cursor.fetchall())
            new = []
            for row in rows:
                if row[k] not in existing:
                    existing.add(row[k])
                    new.append(row)
            cursor.executemany(t.insert_sql(), new)
        return dict(Counter(row[by] for row in new))
    if len(rows) >= direct_from:
        try:
            with transaction.atomic(using=t.connection.alias):
                _copy(t.connection, t.table, t.columns, rows)
            return dict(Counter(row[by] for row in rows))
        except IntegrityError:
            pass  # some keys exist: insert only the new ones
    with transaction.atomic(using=t.connection.alias, savepoint=False):
        stage = _stage(t, rows)
        cols = ", ".join(t.quoted)
        with t.connection.cursor() as cursor:
            cursor.execute(
                f"WITH created AS (INSERT INTO {t.quoted_table} ({cols}) "
                f"SELECT {cols} FROM {stage} ORDER BY {t.quoted[k]} "
                f"ON CONFLICT ({t.quoted[k]}) DO NOTHING RETURNING {t.quoted[by]}) "
                f"SELECT {t.quoted[by]}, count(*) FROM created "
                f"GROUP BY {t.quoted[by]} ORDER BY {t.quoted[by]}"
            )
            counts = dict(cursor.fetchall())
            cursor.execute(f"DROP TABLE {stage}")
    return counts


# PostgreSQL's COPY -------------------------------------------------------


def _stage(t: Table, rows: list[Sequence[Any]]) -> str:
    """A scratch table (dropped at commit) holding ``rows`` in ``t``'s columns;
    its quoted name. Made anew for each batch: a batch never scans the dead
    rows of the ones before it."""
    stage = t.connection.ops.quote_name(f"{t.table}_stage")
    with t.connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS "
            f"SELECT {', '.join(t.quoted)} FROM {t.quoted_table} WITH NO DATA"
        )
    _copy(t.connection, f"{t.table}_stage", t.columns, rows, types_of=t.table)
    return stage


_TYPES: dict[tuple[str, str], dict[str, int]] = {}


def _column_types(connection: BaseDatabaseWrapper, table: str) -> dict[str, int]:
    """Each column's type (its oid) from the catalog, once per table."""
    key = (connection.alias, table)
    if key not in _TYPES:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT attname, atttypid FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                [connection.ops.quote_name(table)],
            )
            _TYPES[key] = dict(cursor.fetchall())
    return _TYPES[key]


def _copy(
    connection: BaseDatabaseWrapper,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    types_of: str | None = None,
) -> None:
    """COPY ``rows`` into ``table`` in binary format, each value dumped by
    psycopg's C code for its column's type (``types_of``: the table whose
    column types to use, for a scratch table). Faster than COPY's text
    format, whose lines Python would have to build, and than psycopg guessing
    each value's type. A database error is Django's (an ``IntegrityError``
    for a duplicate key), as from any other statement."""
    types = _column_types(connection, types_of or table)
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in columns)
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {quote(table)} ({cols}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types([types[c] for c in columns])
        for row in rows:
            copy.write_row(row)
