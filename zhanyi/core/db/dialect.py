"""Which database a connection is, and the statements that differ by database.

zhanyi runs on SQLite (one file, the default) and PostgreSQL (production).
This module and ``zhanyi.core.db.bulk`` are the only code that reads
``connection.vendor``; everything else asks here, or better, calls an
operation that chooses inside. Migrations keep their own ``schema_editor``
checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.db import NotSupportedError
from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

POSTGRESQL = "postgresql"
SQLITE = "sqlite"

T = TypeVar("T")


def _of(connection: BaseDatabaseWrapper | None) -> BaseDatabaseWrapper:
    return default_connection if connection is None else connection


def name(connection: BaseDatabaseWrapper | None = None) -> str:
    """The database's name as figures and messages show it (``postgresql``, ``sqlite``)."""
    return _of(connection).vendor


def is_postgresql(connection: BaseDatabaseWrapper | None = None) -> bool:
    return _of(connection).vendor == POSTGRESQL


def is_sqlite(connection: BaseDatabaseWrapper | None = None) -> bool:
    return _of(connection).vendor == SQLITE


def supported(connection: BaseDatabaseWrapper | None = None) -> bool:
    """Whether the connection is one of the two databases zhanyi runs on."""
    return _of(connection).vendor in (POSTGRESQL, SQLITE)


def pick(*, postgresql: T, sqlite: T, connection: BaseDatabaseWrapper | None = None) -> T:
    """The value for the connection's database; any other database is refused."""
    vendor = _of(connection).vendor
    if vendor == POSTGRESQL:
        return postgresql
    if vendor == SQLITE:
        return sqlite
    raise NotSupportedError(f"zhanyi supports SQLite and PostgreSQL, not {vendor}")


def require_postgresql(
    message: str,
    error: type[Exception] = NotSupportedError,
    connection: BaseDatabaseWrapper | None = None,
) -> None:
    """Raise ``error(message)`` unless the connection is PostgreSQL (for the
    few tools, such as benches that clone databases, that only it can run)."""
    if not is_postgresql(connection):
        raise error(message)


def analyze(
    *tables: str | type[Model],
    columns: Sequence[str] = (),
    vacuum: bool = False,
    connection: BaseDatabaseWrapper | None = None,
) -> None:
    """Refresh PostgreSQL's planner statistics of ``tables`` after a bulk
    write (``vacuum``: free dead rows first; outside a transaction only), as
    autovacuum would after a delay: a query right after a million-row COPY
    would otherwise be planned for an empty table. ``columns`` (one table):
    only those. SQLite plans without such statistics: nothing to do there."""
    if columns and len(tables) != 1:
        raise ValueError("analyze: columns are those of one table")
    connection = _of(connection)
    if not is_postgresql(connection) or not tables:
        return
    quote = connection.ops.quote_name
    names = [quote(t if isinstance(t, str) else t._meta.db_table) for t in tables]
    if columns:
        names[0] += f" ({', '.join(quote(c) for c in columns)})"
    with connection.cursor() as cursor:
        if vacuum:
            for table in names:
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        else:
            cursor.execute(f"ANALYZE {', '.join(names)}")


def read_only_session(connection: BaseDatabaseWrapper | None = None) -> None:
    """Make the connection's session refuse every write (a bench of readers)."""
    sql = pick(
        postgresql="SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
        sqlite="PRAGMA query_only = ON",
        connection=connection,
    )
    with _of(connection).cursor() as cursor:
        cursor.execute(sql)
