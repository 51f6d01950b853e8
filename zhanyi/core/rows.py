"""Model instances from plain SQL rows, for the few requests that cannot pay
for the ORM's query compilation.

A sampling point's scan (``zhanyi.testing.lane``) is answered in a few
milliseconds of Python; building a ``select_related`` queryset's SQL and its
model-init plan costs about a millisecond per query on its own. A ``Loader``
does that work once per model: the column list for a ``SELECT`` and the
converters the database needs (SQLite returns dates as text, booleans as
integers), so a hot path writes its SQL by hand and still gets real model
instances, converted exactly as the ORM would convert them.

``cursor()`` is the cursor for such statements: on PostgreSQL each statement
it runs is prepared on its connection the first time and then only bound and
executed, so the server plans it once per connection rather than once per
request (planning a scan's statements cost the database more than running
them).
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections, models
from django.db.backends.utils import CursorWrapper


@dataclass(frozen=True)
class Loader:
    model: type[models.Model]
    alias: str
    #: Every concrete field, in the model's order (``Model.from_db``'s fast path).
    fields: tuple
    #: (position, converter functions, expression) for the fields that need converting.
    converting: tuple

    @property
    def width(self) -> int:
        return len(self.fields)

    def select(self, table_alias: str) -> str:
        """The column list, qualified by ``table_alias``: ``"x"."id", "x"."name", …``."""
        quote = connections[self.alias].ops.quote_name
        return ", ".join(f"{table_alias}.{quote(f.column)}" for f in self.fields)

    def load(self, values: Sequence) -> models.Model:
        """The instance for one row's values of this loader's columns."""
        if self.converting:
            values = list(values)
            connection = connections[self.alias]
            for position, converters, expression in self.converting:
                value = values[position]
                for convert in converters:
                    value = convert(value, expression, connection)
                values[position] = value
        return self.model.from_db(self.alias, None, values)


@functools.cache
def loader(model: type[models.Model], alias: str = DEFAULT_DB_ALIAS) -> Loader:
    """The loader of ``model`` on the database ``alias`` (built once per process)."""
    connection = connections[alias]
    fields = tuple(model._meta.concrete_fields)
    converting = []
    for position, field in enumerate(fields):
        expression = field.get_col(model._meta.db_table)
        converters = tuple(
            connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
        )
        if converters:
            converting.append((position, converters, expression))
    return Loader(model, alias, fields, tuple(converting))


def cursor(alias: str = DEFAULT_DB_ALIAS) -> CursorWrapper:
    """A cursor for a hot path's hand-written statements.

    On PostgreSQL its parameters are bound by the server and each statement
    is prepared on the connection when first run: a connection kept between
    requests (``CONN_MAX_AGE``) plans each statement once. Statements are
    keyed by their text and parameter types, so write them with a fixed text
    (an array parameter rather than a list of placeholders whose length
    varies). Elsewhere, and for any other database, the ordinary cursor.
    Behind a pooler in transaction mode, use one that keeps prepared
    statements per server connection (PgBouncer 1.21 or newer with
    ``max_prepared_statements``).
    """
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        # Prepared on first use once ``prepare_connection`` has set the
        # connection up (as it opened); without that, simply not prepared.
        raw = _prepared_cursor_class()(connection.connection)
        # As Django's own cursors read times: in the connection's time zone.
        from django.db.backends.postgresql.psycopg_any import register_tzloader
        from psycopg.pq import Format

        loader = connection.connection.adapters.get_loader(_TIMESTAMPTZ_OID, Format.TEXT)
        if connection.timezone != loader.timezone:
            register_tzloader(connection.timezone, raw)
        return connection._prepare_cursor(raw)


_TIMESTAMPTZ_OID = 1184
_NEVER = 2**62


def prepare_connection(sender=None, connection=None, **kwargs) -> None:
    """Set up a new PostgreSQL connection for ``cursor()`` (Django's
    ``connection_created`` signal, connected by the core app).

    - Django turns psycopg's preparing off, which refuses even an explicit
      prepare; a threshold that no statement reaches turns it on for
      ``cursor()``'s statements only (Django's own cursors bind on the
      client and are never prepared).
    - Prepared statements are planned once, generically
      (``plan_cache_mode``): they look rows up by keys, where the generic
      plan is the custom one, and the server's default would keep planning
      them again on every execution. It applies to prepared statements only,
      so to no statement of Django's own.

    Run as the connection opens, in autocommit: a setting made inside a
    transaction would go with its rollback.
    """
    if connection is None or connection.vendor != "postgresql":
        return
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = _NEVER
    with raw.cursor() as db:
        db.execute("SET plan_cache_mode = force_generic_plan")


@functools.cache
def _prepared_cursor_class() -> type:
    import psycopg

    class PreparedCursor(psycopg.Cursor):
        """Server-side binding; every statement prepared on first use."""

        def execute(self, query, params=None, *, prepare=True, binary=None):
            return super().execute(query, params, prepare=prepare, binary=binary)

        def _send_query_prepared(self, name, pgq, *, binary=None):
            # Kept as an unprepared execution keeps it: Django's debug cursor
            # (``connection.queries``, tests' statement counts) reads it.
            self._query = pgq
            return super()._send_query_prepared(name, pgq, binary=binary)

    return PreparedCursor


@dataclass(frozen=True)
class Write:
    """A data-changing statement to run with an insert (``insert(along=…)``)."""

    sql: str
    params: Sequence


def insert_write(obj: models.Model) -> Write:
    """The INSERT of a new instance whose primary key is set (``reserve_id``),
    as a ``Write`` to send along another insert; prepared as ``insert`` prepares it."""
    model = type(obj)
    return Write(_insert_sql(model, with_key=True), _values(obj, _insert_fields(model, True)))


_RESERVED: dict[tuple, list[int]] = {}
_RESERVING = threading.Lock()


def reserve_id(model: type[models.Model], *, block: int = 64) -> int:
    """A primary key for a new row of ``model``, from its sequence (PostgreSQL).

    Keys are taken ``block`` at a time and handed out by this process (and
    only this one: the pool is kept per process id, so a forked server worker
    never repeats its parent's), so a hot path that must know a row's key
    before writing it (to write it in one statement with the rows that point
    at it) costs no round trip of its own. Keys left over when the process
    ends are gaps in the sequence, as a rolled-back insert leaves.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        raise NotSupportedError("reserve_id needs PostgreSQL's sequences")
    key = (model, connection.alias, os.getpid())
    with _RESERVING:
        pool = _RESERVED.setdefault(key, [])
        if not pool:
            with connection.cursor() as db:
                db.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [model._meta.db_table, model._meta.pk.column, block],
                )
                pool.extend(sorted((row[0] for row in db.fetchall()), reverse=True))
        return pool.pop()


def insert(
    obj: models.Model, *, unless_exists: str | None = None, along: Sequence[Write] = ()
) -> bool:
    """INSERT a new instance in one statement written once per model.

    Values are prepared by each field as ``Model.save`` prepares them
    (``pre_save`` fills ``auto_now_add``); no signals are sent, so use it
    only for models nothing listens to. Returns True with ``obj.pk`` set.
    With ``unless_exists`` (the name of a unique field), a row already
    holding that value is left alone and False is returned: one statement,
    no savepoint, safe against a concurrent insert of the same value.

    ``along``: independent writes that belong with this row (a scan's
    samples and tube, with its audit record). On PostgreSQL they travel in
    the same statement, as data-modifying ``WITH`` clauses (each sees the
    database as it was before the statement, so none may read another's
    rows); elsewhere they run just before it, in order.
    """
    model = type(obj)
    connection = connections[DEFAULT_DB_ALIAS]
    values = _values(obj, _insert_fields(model))
    sql = _insert_sql(model, unless_exists=unless_exists)
    with cursor() as db:
        if along and connection.vendor == "postgresql":
            clauses = ", ".join(f"along{i} AS ({w.sql})" for i, w in enumerate(along))
            sql = f"WITH {clauses} {sql}"
            values = [*(p for w in along for p in w.params), *values]
        else:
            for write in along:
                db.execute(write.sql, write.params)
        db.execute(sql, values)
        row = db.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = DEFAULT_DB_ALIAS
    return True


@functools.cache
def _insert_fields(model: type[models.Model], with_key: bool = False) -> tuple:
    return tuple(f for f in model._meta.concrete_fields if with_key or not f.primary_key)


def _values(obj: models.Model, fields: tuple) -> list:
    """The values of ``fields`` as ``Model.save`` prepares them for an insert."""
    connection = connections[DEFAULT_DB_ALIAS]
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


@functools.cache
def _insert_sql(
    model: type[models.Model], *, unless_exists: str | None = None, with_key: bool = False
) -> str:
    """The model's INSERT: without its key, returning the one the database gives
    (or nothing if ``unless_exists`` finds the value taken); or ``with_key``,
    returning nothing."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    fields = _insert_fields(model, with_key)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if unless_exists is not None:
        sql += f" ON CONFLICT ({quote(model._meta.get_field(unless_exists).column)}) DO NOTHING"
    if not with_key:
        sql += f" RETURNING {quote(model._meta.pk.column)}"
    return sql
