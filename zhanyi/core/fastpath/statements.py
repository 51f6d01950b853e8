"""Prepared statements: model instances from hand-written SQL (fast path).

A sampling point's scan (``zhanyi.testing.fastpath``) is answered in a few
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
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.utils import CursorWrapper

from zhanyi.core.db import dialect


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
    if not dialect.is_postgresql(connection):
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
    if connection is None or not dialect.is_postgresql(connection):
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
