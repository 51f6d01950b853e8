"""Database triggers that make the audit table append-only.

The model refuses to update or delete an ``AuditEvent``; these triggers make
the database refuse too, so neither a bug that bypasses the model (a queryset
``update()``/``delete()``, raw SQL) nor a user with a SQL shell rewrites history.

- SQLite: ``BEFORE UPDATE`` and ``BEFORE DELETE`` triggers that ``RAISE(ABORT)``,
  and a ``BEFORE INSERT`` one for a row whose id is taken: ``INSERT OR REPLACE``
  deletes the old row without firing delete triggers (SQLite fires them only
  with ``recursive_triggers`` on), so it rewrote history past the other two.
- PostgreSQL: one row trigger for ``UPDATE OR DELETE`` and one statement
  trigger for ``TRUNCATE``, both calling a function that raises.

The table owner can still drop a trigger; that is a deliberate act that the
database's own logs record, not an accident. ``zhanyi flush`` (which empties
every table, used by transactional tests) lifts the triggers for the length of
its transaction and puts them back (see ``management/commands/flush.py``).

Caution: on SQLite, a migration that *remakes* ``core_auditevent`` (most
``AlterField``/``RemoveField`` operations) drops its triggers. Such a migration
must call ``install`` again; the test suite checks that they are in place.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from zhanyi.core.db import dialect

TABLE = "core_auditevent"
MESSAGE = "core_auditevent is append-only"

_SQLITE_TRIGGERS = (
    "core_auditevent_no_update",
    "core_auditevent_no_delete",
    "core_auditevent_no_replace",
)
_SQLITE_INSTALL = [
    f"CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER IF NOT EXISTS core_auditevent_no_replace BEFORE INSERT ON {TABLE} "
    f"WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id) "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
_SQLITE_UNINSTALL = [f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS]

_PG_TRIGGERS = ("core_auditevent_no_change", "core_auditevent_no_truncate")
_PG_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION core_auditevent_refuse() RETURNS trigger
        LANGUAGE plpgsql AS $body$
        BEGIN
            RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $body$""",
    f"DROP TRIGGER IF EXISTS core_auditevent_no_change ON {TABLE}",
    f"CREATE TRIGGER core_auditevent_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse()",
    f"DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON {TABLE}",
    f"CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_refuse()",
]
_PG_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS core_auditevent_no_change ON {TABLE}",
    f"DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS core_auditevent_refuse()",
]


def _statements(connection: BaseDatabaseWrapper, install: bool) -> list[str]:
    if install:
        return dialect.pick(postgresql=_PG_INSTALL, sqlite=_SQLITE_INSTALL, connection=connection)
    return dialect.pick(postgresql=_PG_UNINSTALL, sqlite=_SQLITE_UNINSTALL, connection=connection)


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=True):
            cursor.execute(sql)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=False):
            cursor.execute(sql)


def installed(connection: BaseDatabaseWrapper) -> bool:
    """Whether every trigger is in place (never on a database zhanyi does not run on)."""
    if not dialect.supported(connection):
        return False
    sql, triggers = dialect.pick(
        postgresql=(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass(%s) "
            "AND tgname IN (%s, %s) AND tgenabled <> 'D'",
            _PG_TRIGGERS,
        ),
        sqlite=(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
            "AND name IN (%s, %s, %s)",
            _SQLITE_TRIGGERS,
        ),
        connection=connection,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [TABLE, *triggers])
        return cursor.fetchone()[0] == len(triggers)
