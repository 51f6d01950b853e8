"""``zhanyi integrity``: rows whose id points at nothing, where no database constraint checks it."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhanyi.core.integrity import check


class Command(BaseCommand):
    help = (
        "Check every foreign key declared without a database constraint (hand-offs, contacts, "
        "health codes, samples, round targets…) for rows whose id points at nothing. "
        "Exits with status 1 when it finds any."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--examples", type=int, default=5, help="rows to show per key (default 5)"
        )

    def handle(self, *args, **options) -> None:
        if options["examples"] < 0:
            raise CommandError("--examples must be 0 or more")
        keys, found = check(examples=options["examples"])
        for d in found:
            shown = ", ".join(f"row {pk} → {value}" for pk, value in d.examples)
            self.stdout.write(
                f"{d.key}: {d.count:,} row(s) point at no {d.target}"
                + (f" ({shown})" if shown else "")
            )
        if found:
            total = sum(d.count for d in found)
            raise CommandError(
                f"{total:,} dangling reference(s) in {len(found)} of {len(keys)} keys without "
                "a database constraint",
                returncode=1,
            )
        self.stdout.write(
            f"No dangling references in the {len(keys)} keys without a database constraint: "
            + ", ".join(keys)
        )
