"""``zhanyi restore FILE --yes``: replace the whole database with a backup.

Stop the app servers, workers and scheduler first. The file must be a backup of the
same kind of database (``zhanyi backup`` on SQLite or PostgreSQL); anything else is
refused before the database is touched. Everything written after the backup is
lost, the audit trail's records included: the restore is recorded in the restored
trail (``backup.restored``). Run ``zhanyi migrate`` afterwards when the backup comes
from an older version of zhanyi.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from zhanyi.core import audit
from zhanyi.core.audit import cli_actor
from zhanyi.core.db import backup


class Command(BaseCommand):
    help = "Replace the whole database with a backup made by `zhanyi backup`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="confirm: everything written since the backup is lost",
        )

    def handle(self, *args, file: str, yes: bool, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no file {path}")
        if not yes:
            raise CommandError(
                "a restore replaces the whole database: everything written since the backup "
                "is lost. Stop the app servers, workers and scheduler, then run it again "
                "with --yes."
            )
        try:
            kind = backup.restore(path)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        connection.close()
        audit.record(
            actor=cli_actor(),
            action="backup.restored",
            object_type="database",
            object_label=kind,
            detail={"file": str(path.resolve()), "bytes": path.stat().st_size},
        )
        self.stdout.write(f"Restored the {kind} database from {path}.")
