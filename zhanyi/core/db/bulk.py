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
a parameter or as COPY data, never spliced into SQL by this code. Callers
give rows as tuples in the order of the fields they name.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import polars as pl
import psycopg
from django.db import IntegrityError, connections, models, transaction
from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import dialect

#: From this many rows on, ``insert_new`` first copies straight into the table.
DIRECT_FROM = 5000
#: Values per ``IN`` list on SQLite (its default limit is 32,766 parameters).
_SQLITE_CHUNK = 5000


def _adapt_json(ops: Any, encoder: Any, value: Any) -> Any:
    return ops.adapt_json_value(value, encoder)


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
        self.fields: list[models.Field] = [
            cast(models.Field, model._meta.get_field(name)) for name in fields
        ]
        self.table = model._meta.db_table
        self.columns: list[str] = [f.column for f in self.fields]
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
                self.adapted.append((i, functools.partial(_adapt_json, ops, f.encoder)))
            elif self.copy:
                continue
            elif isinstance(f, models.DateTimeField):
                self.adapted.append((i, _memo(ops.adapt_datetimefield_value)))
            elif isinstance(f, models.DateField):
                self.adapted.append((i, _memo(ops.adapt_datefield_value)))

    def index(self, field: str) -> int:
        """The position of ``field`` (a name or attname) in the rows."""
        wanted = cast(models.Field, self.model._meta.get_field(field))
        return self.fields.index(wanted)

    def prepare(self, rows: Iterable[Sequence[Any]]) -> list[Sequence[Any]]:
        if not self.adapted:
            return rows if isinstance(rows, list) else list(rows)
        prepared: list[Sequence[Any]] = []
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


# Rows made by joining many records to a few templates ---------------------


@dataclass(frozen=True)
class Column:
    """A value of ``insert_joined``'s rows: the column ``name`` of the
    records (``side`` ``"r"``) or of the templates (``"t"``)."""

    side: Literal["r", "t"]
    name: str


@dataclass(frozen=True)
class Concat:
    """The text of ``parts`` one after the other (NULL if one is NULL)."""

    parts: tuple[Column, ...]


def record(name: str) -> Column:
    """The records' column ``name``, for ``insert_joined``."""
    return Column("r", name)


def template(name: str) -> Column:
    """The templates' value ``name``, for ``insert_joined``."""
    return Column("t", name)


def concat(*parts: Column) -> Concat:
    return Concat(parts)


#: Arrays of a records frame's columns, by the column's Polars type.
_ARRAY_TYPES: dict[Any, str] = {
    pl.String: "text",
    pl.Int64: "bigint",
    pl.Int32: "int",
    pl.Int16: "smallint",
    pl.Boolean: "boolean",
}
#: Types of templates' values as ``jsonb_to_recordset`` reads them, by field.
_TEMPLATE_TYPES = {
    "CharField": "text",
    "TextField": "text",
    "DateTimeField": "timestamptz",
    "JSONField": "jsonb",
}


def insert_joined(
    model: type[models.Model],
    fields: dict[str, Any],
    records: pl.DataFrame,
    templates: Sequence[dict[str, Any]],
    *,
    on: str,
    key: str,
    count_by: str,
    direct_from: int = DIRECT_FROM,
    connection: BaseDatabaseWrapper | None = None,
) -> dict[Any, int]:
    """Insert one row for each record and each template whose ``on`` values
    are equal (many records, a handful of templates: a contact graph's
    contacts and the hand-offs of their plans), skipping rows whose ``key``
    field exists already or repeats; return how many were inserted by the
    value of their ``count_by`` field.

    ``fields`` gives each field's value: ``record(column)`` of the records
    frame, ``template(name)`` of the template dicts, ``concat`` of those, or
    any other value as a constant. ``count_by``'s must be a column.

    PostgreSQL: one ``INSERT … SELECT`` from the records' columns (one array
    each) joined to the templates (one JSON document); no row is formatted,
    sent or parsed by Python, and each template's JSON is decoded once. From
    ``direct_from`` rows on, the statement first runs plain (in a savepoint);
    if a key exists already (a replay), or for fewer rows, it runs with
    ``ON CONFLICT DO NOTHING``. The rows go in as the join yields them, in
    the records' order: give them in key order, so the key's index grows
    near its right edge (``ORDER BY`` would sort a graph's million rows, with
    their JSON, for that locality alone). SQLite: the rows are made in
    Python and go through ``insert_new``."""
    connection = default_connection if connection is None else connection
    by_on: dict[Any, list[dict[str, Any]]] = {}
    for t in templates:
        by_on.setdefault(t[on], []).append(t)
    records = records.filter(pl.col(on).is_in(list(by_on)))
    if records.height == 0:
        return {}
    offered = _joined_counts(fields[count_by], records, by_on, on, count_by)
    if not dialect.is_postgresql(connection):
        return _insert_joined_rows(model, fields, records, by_on, on, key, count_by, connection)
    sql, params = _insert_joined_sql(model, fields, records, templates, on, connection)
    if sum(offered.values()) >= direct_from:
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(sql, params)
            return offered
        except IntegrityError:
            pass  # some keys exist: insert only the new ones
    t = Table(model, [key, count_by], connection)
    k, by = t.quoted
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH created AS ({sql} ON CONFLICT ({k}) DO NOTHING RETURNING {by}) "
            f"SELECT {by}, count(*) FROM created GROUP BY {by} ORDER BY {by}",
            params,
        )
        return dict(cursor.fetchall())


def _joined_counts(
    value: Any, records: pl.DataFrame, by_on: dict[Any, list[dict[str, Any]]], on: str, name: str
) -> dict[Any, int]:
    """How many rows the join makes, by their ``value`` (a column)."""
    counts: Counter = Counter()
    if isinstance(value, Column) and value.side == "t":
        for v, n in records.group_by(on).len().iter_rows():
            for t in by_on[v]:
                counts[t[value.name]] += n
    elif isinstance(value, Column):
        for v, c, n in records.group_by(on, value.name).len().iter_rows():
            counts[c] += n * len(by_on[v])
    else:
        raise ValueError(f"insert_joined: count_by {name!r} is not a column")
    return dict(counts)


def _insert_joined_sql(
    model: type[models.Model],
    fields: dict[str, Any],
    records: pl.DataFrame,
    templates: Sequence[dict[str, Any]],
    on: str,
    connection: BaseDatabaseWrapper,
) -> tuple[str, list[Any]]:
    """PostgreSQL's ``INSERT … SELECT`` of ``insert_joined`` and its parameters."""
    q = connection.ops.quote_name
    target = Table(model, list(fields), connection)
    used = {(v.side, v.name) for value in fields.values() for v in _columns(value)}
    r_cols = [c for c in records.columns if ("r", c) in used or c == on]
    r_types: dict[str, str] = {}
    for c in r_cols:
        dtype = records.schema[c]
        if dtype not in _ARRAY_TYPES:
            raise ValueError(f"insert_joined: no array type for column {c!r} ({dtype})")
        r_types[c] = _ARRAY_TYPES[dtype]
    t_types = {on: r_types[on]}
    for f, value in zip(target.fields, fields.values(), strict=True):
        if isinstance(value, Column) and value.side == "t":
            internal = f.get_internal_type()
            t_types.setdefault(value.name, _TEMPLATE_TYPES.get(internal) or f.db_type(connection))
        elif isinstance(value, Concat):
            for part in value.parts:
                if part.side == "t":
                    t_types.setdefault(part.name, "text")
    constants = {f: v for f, v in fields.items() if not isinstance(v, Column | Concat)}
    fixed = Table(model, list(constants), connection).prepare([tuple(constants.values())])[0]
    values = iter(fixed)
    select: list[str] = []
    for value in fields.values():
        if isinstance(value, Column | Concat):
            select.append(" || ".join(f"{v.side}.{q(v.name)}" for v in _columns(value)))
        else:
            select.append("%s")
    document = [{name: _json_value(t[name]) for name in t_types if name in t} for t in templates]
    sql = (
        f"INSERT INTO {target.quoted_table} ({', '.join(target.quoted)}) "
        f"SELECT {', '.join(select)} "
        f"FROM unnest({', '.join(f'%s::{r_types[c]}[]' for c in r_cols)}) "
        f"AS r({', '.join(q(c) for c in r_cols)}) "
        f"JOIN jsonb_to_recordset(%s::jsonb) "
        f"AS t({', '.join(f'{q(n)} {ty}' for n, ty in t_types.items())}) "
        f"ON t.{q(on)} = r.{q(on)}"
    )
    params = [
        *values,
        *(array_literal(records[c].to_list()) for c in r_cols),
        json.dumps(document, ensure_ascii=False),
    ]
    return sql, params


def _columns(value: Any) -> tuple[Column, ...]:
    if isinstance(value, Column):
        return (value,)
    if isinstance(value, Concat):
        return value.parts
    return ()


def _json_value(value: Any) -> Any:
    """A template's value in the JSON document (times as ISO text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _insert_joined_rows(
    model: type[models.Model],
    fields: dict[str, Any],
    records: pl.DataFrame,
    by_on: dict[Any, list[dict[str, Any]]],
    on: str,
    key: str,
    count_by: str,
    connection: BaseDatabaseWrapper,
) -> dict[Any, int]:
    """``insert_joined`` with the rows made in Python, through ``insert_new``."""
    position = {c: i for i, c in enumerate(records.columns)}

    def value_of(value: Any, r: tuple, t: dict[str, Any]) -> Any:
        if isinstance(value, Column):
            return r[position[value.name]] if value.side == "r" else t[value.name]
        if isinstance(value, Concat):
            parts = [value_of(v, r, t) for v in value.parts]
            return None if None in parts else "".join(map(str, parts))
        return value

    o = position[on]
    exprs = list(fields.values())
    rows = [
        tuple(value_of(v, r, t) for v in exprs) for r in records.iter_rows() for t in by_on[r[o]]
    ]
    k = list(fields).index(key)
    rows.sort(key=lambda row: row[k])
    return insert_new(model, list(fields), rows, key=key, count_by=count_by, connection=connection)


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


def update_many(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    key: str = "id",
    constants: dict[str, Any] | None = None,
    connection: BaseDatabaseWrapper | None = None,
) -> None:
    """Set ``fields`` of many rows, each row found by its ``key`` (the first
    of ``fields``); ``constants``: fields set to the same value in every row.

    PostgreSQL: one ``UPDATE … FROM unnest(…)`` with each field's values as
    one array. SQLite: one ``UPDATE`` per row through ``executemany``."""
    t = Table(model, fields, connection)
    if t.index(key) != 0:
        raise ValueError("update_many: the key is the first field")
    rows = t.prepare(rows)
    if not rows:
        return
    constants = constants or {}
    fixed = Table(model, list(constants), connection)
    values = fixed.prepare([tuple(constants.values())])[0] if constants else []
    if not t.copy:
        sets = [f"{c} = %s" for c in t.quoted[1:] + fixed.quoted]
        with t.connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {t.quoted_table} SET {', '.join(sets)} WHERE {t.quoted[0]} = %s",
                [(*row[1:], *values, row[0]) for row in rows],
            )
        return
    types = [f"%s::{f.db_type(t.connection)}[]" for f in t.fields]
    names = [f"v{i}" for i in range(len(t.fields))]
    sets = [f"{c} = v.{n}" for c, n in zip(t.quoted[1:], names[1:], strict=True)]
    sets += [f"{c} = %s" for c in fixed.quoted]
    with t.connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {t.quoted_table} AS t SET {', '.join(sets)} "
            f"FROM unnest({', '.join(types)}) AS v ({', '.join(names)}) "
            f"WHERE t.{t.quoted[0]} = v.v0",
            [*values, *(array_literal(c) for c in zip(*rows, strict=True))],
        )


# Sets of values in a WHERE clause -----------------------------------------


#: Ids per batch on PostgreSQL, where a batch's ids travel as one array and its
#: rows by COPY: bigger batches mean fewer statements.
_PG_IDS_PER_BATCH = 50_000


def ids_per_batch() -> int:
    """How many ids a caller that works through many persons (or rows) batch
    by batch should take at a time on this database: 50,000 on PostgreSQL,
    5,000 on SQLite, where every id of an ``IN`` list is a bound parameter
    and their number is capped."""
    return dialect.pick(postgresql=_PG_IDS_PER_BATCH, sqlite=_SQLITE_CHUNK)


def where_in(qs: QuerySet, field: str, values: Iterable, db_type: str) -> Iterator[QuerySet]:
    """Querysets of ``qs`` with ``field`` in ``values``, however many values.

    On PostgreSQL one queryset, ``column = ANY(array)`` with the values as one
    array literal: Django would compile, quote and send each value of an IN
    list as a parameter of its own, about 20 µs apiece, longer than the
    database takes to find its row. On SQLite chunks of plain ``IN``.
    ``db_type`` is the array's element type (``bigint``, ``text``).
    """
    values = list(values)
    connection = connections[qs.db]
    if dialect.is_postgresql(connection):
        # No stored text holds a NUL (PostgreSQL refuses it): such a value
        # matches nothing, and must not reach the array.
        values = [v for v in values if not (type(v) is str and "\0" in v)]
        meta = qs.model._meta
        column = meta.pk.column if field == "pk" else meta.get_field(field).column
        quote = connection.ops.quote_name
        yield qs.filter(
            RawSQL(
                f"{quote(meta.db_table)}.{quote(column)} = ANY(%s::{db_type}[])",
                [array_literal(values)],
                output_field=BooleanField(),
            )
        )
        return
    for start in range(0, len(values), _SQLITE_CHUNK):
        yield qs.filter(**{f"{field}__in": values[start : start + _SQLITE_CHUNK]})


def in_list(
    column: str, values: Iterable, db_type: str, connection: BaseDatabaseWrapper | None = None
) -> Iterator[tuple[str, list]]:
    """``(sql, params)`` pieces saying ``column`` is one of ``values``, for raw
    SQL: on PostgreSQL one array literal, on SQLite chunks of plain ``IN``."""
    values = list(values)
    if dialect.is_postgresql(connection):
        yield f"{column} = ANY(%s::{db_type}[])", [array_literal(values)]
        return
    for start in range(0, len(values), _SQLITE_CHUNK):
        chunk = values[start : start + _SQLITE_CHUNK]
        yield f"{column} IN ({', '.join(['%s'] * len(chunk))})", chunk


def ids_sql(
    column: str, ids: Sequence[int], connection: BaseDatabaseWrapper | None = None
) -> tuple[str, list]:
    """SQL selecting rows whose ``column`` is among ``ids`` (sorted), in one
    statement however many: a range when they are dense (rows with ids
    between them that were not asked for come back too: the caller skips
    them), else the ids as one parameter (PostgreSQL: an array literal, as
    psycopg quoting a large list element by element costs seconds; SQLite:
    a JSON array read by ``json_each``)."""
    first, last = ids[0], ids[-1]
    if last - first < 4 * len(ids):
        return f"{column} BETWEEN %s AND %s", [first, last]
    if dialect.is_postgresql(connection):
        return f"{column} = ANY(%s::bigint[])", [array_literal(ids)]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]


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


# Frames (Polars) in and out ------------------------------------------------

#: Datetimes in frames: microseconds, UTC.
TIMESTAMP = pl.Datetime("us", "UTC")


def read_frame(
    table: str | type[models.Model],
    columns: Sequence[str],
    schema: Mapping[str, pl.DataType | type[pl.DataType]],
    *,
    where: str = "",
    params: Sequence[Any] = (),
    connection: BaseDatabaseWrapper | None = None,
) -> pl.DataFrame:
    """``columns`` of ``table``'s rows (``where``: an SQL condition with
    ``params``) as a frame with ``schema`` (its names in the order of
    ``columns``; datetime columns as ``TIMESTAMP``).

    PostgreSQL: one ``COPY (SELECT …) TO STDOUT`` read by Polars' CSV reader,
    times as exact whole microseconds since the epoch, never as text. SQLite:
    the rows through the cursor, times converted as the ORM converts them."""
    connection = default_connection if connection is None else connection
    if len(columns) != len(schema):
        raise ValueError("read_frame: one schema entry per column")
    quote = connection.ops.quote_name
    name = table if isinstance(table, str) else table._meta.db_table
    times = [isinstance(dtype, pl.Datetime) for dtype in schema.values()]
    if not dialect.is_postgresql(connection):
        select = ", ".join(quote(c) for c in columns)
        sql = f"SELECT {select} FROM {quote(name)}" + (f" WHERE {where}" if where else "")
        stamp = connection.ops.adapt_datetimefield_value
        params = [stamp(p) if isinstance(p, dt.datetime) else p for p in params]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return pl.DataFrame(schema=schema)
        if any(times):
            parse = _memo(lambda v: _sqlite_time(v, connection))
            rows = [
                tuple(parse(v) if t and v is not None else v for v, t in zip(r, times, strict=True))
                for r in rows
            ]
        return pl.DataFrame(rows, schema=list(schema), orient="row").cast(pl.Schema(schema))
    select = ", ".join(
        f"(extract(epoch from {quote(c)}) * 1000000)::bigint" if t else quote(c)
        for c, t in zip(columns, times, strict=True)
    )
    sql = f"SELECT {select} FROM {quote(name)}" + (f" WHERE {where}" if where else "")
    connection.ensure_connection()
    buffer = io.BytesIO()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        literal = psycopg.ClientCursor(connection.connection).mogrify(sql, list(params))
        with cursor.cursor.copy(f"COPY ({literal}) TO STDOUT WITH (FORMAT csv)") as copy:
            for chunk in copy:
                buffer.write(chunk)
    if buffer.tell() == 0:
        return pl.DataFrame(schema=schema)
    raw = {n: (pl.Int64 if t else d) for (n, d), t in zip(schema.items(), times, strict=True)}
    frame = pl.read_csv(buffer.getvalue(), has_header=False, new_columns=list(schema), schema=raw)
    return frame.with_columns(
        [pl.col(n).cast(schema[n]) for n, t in zip(schema, times, strict=True) if t]
    )


def read_matching(
    table: str | type[models.Model],
    columns: Sequence[str],
    schema: Mapping[str, pl.DataType | type[pl.DataType]],
    *,
    key: str,
    values: pl.Series,
    where: str = "",
    connection: BaseDatabaseWrapper | None = None,
) -> pl.DataFrame:
    """``columns`` of ``table``'s rows whose ``key`` column holds one of
    ``values``, as ``read_frame`` reads them (``where``: a further SQL
    condition), however many values: an import's millions of identity
    numbers or person ids.

    PostgreSQL: the distinct values copied into a scratch table (COPY),
    analysed, and the rows read by one COPY of the semi-join: the table's
    other rows never cross to Python, and no value travels as a parameter.
    SQLite: chunks of plain ``IN``."""
    connection = default_connection if connection is None else connection
    values = values.drop_nulls().unique()
    if values.dtype == pl.String:
        # No stored text holds a NUL (PostgreSQL refuses it): such a value matches nothing.
        values = values.filter(~values.str.contains("\0", literal=True))
    if values.len() == 0:
        return pl.DataFrame(schema=schema)
    quote = connection.ops.quote_name
    name = table if isinstance(table, str) else table._meta.db_table
    if not dialect.is_postgresql(connection):
        frames = [
            read_frame(
                table,
                columns,
                schema,
                where=f"({sql}) AND ({where})" if where else sql,
                params=params,
                connection=connection,
            )
            for sql, params in in_list(quote(key), values.to_list(), "", connection)
        ]
        return pl.concat(frames)
    stage = quote(f"{name}_match")
    data = values.to_frame().write_csv(include_header=False)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS "
            f"SELECT {quote(key)} AS value FROM {quote(name)} WITH NO DATA"
        )
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {stage} (value) FROM STDIN WITH (FORMAT csv)") as copy,
        ):
            copy.write(data.encode())
        cursor.execute(f"ANALYZE {stage}")
        matching = f"{quote(key)} IN (SELECT value FROM {stage})"
        frame = read_frame(
            table,
            columns,
            schema,
            where=f"{matching} AND ({where})" if where else matching,
            connection=connection,
        )
        cursor.execute(f"DROP TABLE {stage}")
    return frame


def _sqlite_time(value: str | dt.datetime, connection: BaseDatabaseWrapper) -> dt.datetime:
    """A stored datetime as the ORM reads it from SQLite (aware, in UTC)."""
    parsed = value if isinstance(value, dt.datetime) else parse_datetime(value)
    if parsed is None:
        raise ValueError(f"not a stored datetime: {value!r}")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, connection.timezone)
    return parsed


def copy_frame(
    table: str | type[models.Model],
    frame: pl.DataFrame,
    connection: BaseDatabaseWrapper | None = None,
) -> None:
    """Append ``frame`` to ``table`` (columns by name). PostgreSQL: ``COPY``
    of the frame written as CSV by Polars (datetimes as ISO text, UTC).
    SQLite: ``executemany`` of its rows, datetimes adapted as the ORM adapts
    them."""
    connection = default_connection if connection is None else connection
    if frame.height == 0:
        return
    quote = connection.ops.quote_name
    name = quote(table if isinstance(table, str) else table._meta.db_table)
    cols = ", ".join(quote(c) for c in frame.columns)
    if not dialect.is_postgresql(connection):
        stamp = _memo(connection.ops.adapt_datetimefield_value)
        times = [isinstance(d, pl.Datetime) for d in frame.schema.values()]
        rows = [
            tuple(stamp(v) if t and v is not None else v for v, t in zip(r, times, strict=True))
            for r in frame.iter_rows()
        ]
        marks = ", ".join(["%s"] * len(frame.columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {name} ({cols}) VALUES ({marks})", rows)
        return
    out = frame.with_columns(
        [
            pl.col(n).dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00")
            for n, dtype in frame.schema.items()
            if isinstance(dtype, pl.Datetime)
        ]
    )
    # An empty unquoted field is NULL in CSV COPY; Polars quotes empty strings.
    # Written as bytes: a text would be copied and encoded again.
    data = io.BytesIO()
    out.write_csv(data, include_header=False, null_value="")
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {name} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy,
    ):
        copy.write(data.getbuffer())


def reserve_ids(
    table: str | type[models.Model], n: int, connection: BaseDatabaseWrapper | None = None
) -> list[int]:
    """``n`` ids of ``table``'s id column, ascending, that no other insert
    will take: for rows written with their ids (COPY cannot return the ids it
    makes). PostgreSQL: from the column's sequence. SQLite: past the table's
    ``AUTOINCREMENT`` counter, which is moved beyond them (inside a
    transaction, which on SQLite holds the database's write lock)."""
    connection = default_connection if connection is None else connection
    if n <= 0:
        return []
    name = table if isinstance(table, str) else table._meta.db_table
    with connection.cursor() as cursor:
        if not dialect.is_postgresql(connection):
            with transaction.atomic(using=connection.alias):
                cursor.execute(
                    f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
                    f"coalesce((SELECT max(id) FROM {connection.ops.quote_name(name)}), 0))",
                    [name],
                )
                (last,) = cursor.fetchone()
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [name])
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [name, last + n]
                )
            return list(range(last + 1, last + n + 1))
        # The sequence's name looked up once: per row it costs more than nextval.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [name])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT string_agg(nextval(%s::regclass)::text, ',') FROM generate_series(1, %s)",
            [sequence, n],
        )
        (text,) = cursor.fetchone()
    return sorted(map(int, text.split(",")))
