"""``zhanyi handoffs fold-test-days``: hand-offs (工作交接) from the command line.

- ``fold-test-days [--dry-run] [--batch-size N]``: fold the per-day test
  hand-offs tracing wrote before test schedules into one schedule per contact
  (``zhanyi.command.fold``; migration ``command`` 0007 runs the same on
  ``migrate``). ``--dry-run`` reports what it would change and changes nothing.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhanyi.accounts.audit import cli_actor
from zhanyi.command.fold import fold_test_days


class Command(BaseCommand):
    help = "Hand-offs between task forces: fold old per-day test hand-offs into schedules."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        fold = sub.add_parser(
            "fold-test-days",
            help="fold each contact's per-day test hand-offs into one test schedule",
        )
        fold.add_argument(
            "--dry-run", action="store_true", help="report what would change; change nothing"
        )
        fold.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            help="persons per transaction (default 1000)",
        )

    def handle(self, *args, **options) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be 1 or more")
        dry = options["dry_run"]
        report = fold_test_days(
            apps, batch_size=options["batch_size"], dry_run=dry, actor_name=cli_actor().name
        )
        verb = "would fold" if dry else "folded"
        statuses = ", ".join(f"{n:,} {s}" for s, n in sorted(report.by_status.items()))
        self.stdout.write(
            f"{verb} {report.rows:,} per-day test hand-off(s) into {report.schedules:,} "
            f"schedule(s) ({statuses or 'none'}); {report.merged:,} joined a schedule the "
            f"contact had already; {report.repointed:,} sample(s) "
            f"{'would be ' if dry else ''}moved to their schedule"
        )
        for why in report.skipped:
            self.stdout.write(f"left alone: {why}")
