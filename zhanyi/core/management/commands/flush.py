"""``zhanyi flush``: Django's flush, able to empty the append-only audit table.

Flushing erases every table by definition (transactional tests run it after
each test), so it lifts the audit table's triggers inside the flush's own
transaction and puts them back before it commits. Nothing else can.
"""

from __future__ import annotations

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from zhanyi.core import append_only


class Command(flush.Command):
    def handle(self, **options) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if not append_only.installed(connection):
            super().handle(**options)
            return
        plain_flush = connection.ops.execute_sql_flush

        def flush_with_triggers_lifted(sql_list: list[str]) -> None:
            with transaction.atomic(using=connection.alias):
                append_only.uninstall(connection)
                plain_flush(sql_list)
                append_only.install(connection)

        # Only around the flush statements, not the interactive confirmation.
        connection.ops.execute_sql_flush = flush_with_triggers_lifted
        try:
            super().handle(**options)
        finally:
            del connection.ops.execute_sql_flush
