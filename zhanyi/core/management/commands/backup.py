"""``zhanyi backup [--out FILE]``: a consistent copy of the whole database.

SQLite through its online backup API, PostgreSQL through ``pg_dump`` in custom
format (``zhanyi.core.db.backup``); safe while the app serves. Without ``--out`` the
file goes to ``$ZHANYI_DATA_DIR/backups/zhanyi-<time>.<sqlite3|dump>``. The backup is
audited (``backup.taken``). Restore with ``zhanyi restore FILE``.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zhanyi.core import audit
from zhanyi.core.audit import cli_actor
from zhanyi.core.db import backup


class Command(BaseCommand):
    help = "Back up the whole database to one file (SQLite copy or pg_dump custom format)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out",
            metavar="FILE",
            help="where to write it (default: $ZHANYI_DATA_DIR/backups/zhanyi-<time>.<ext>)",
        )

    def handle(self, *args, out: str | None = None, **options) -> None:
        if out:
            path = Path(out)
        else:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            path = Path(settings.DATA_DIR) / "backups" / f"zhanyi-{stamp}{backup.suffix()}"
        if path.exists():
            raise CommandError(f"{path} exists already; give another --out")
        try:
            taken = backup.backup(path)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        audit.record(
            actor=cli_actor(),
            action="backup.taken",
            object_type="database",
            object_label=taken.database,
            detail={"file": str(taken.path.resolve()), "bytes": taken.size},
        )
        self.stdout.write(
            f"Backed up the {taken.database} database to {taken.path} ({taken.size:,} bytes)."
        )
