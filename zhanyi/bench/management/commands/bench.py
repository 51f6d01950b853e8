"""``zhanyi bench NAME …``: run one benchmark and print its figures as JSON."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from zhanyi import bench


class Command(BaseCommand):
    help = "Run a benchmark; its last output line is one JSON object of figures."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="bench", required=True, metavar="NAME")
        for name, module in sorted(bench.available().items()):
            p = sub.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0])
            module.add_arguments(p)

    def handle(self, *args, **options) -> None:
        module = bench.available()[options["bench"]]
        figures = module.run(options, self.stdout)
        self.stdout.write(json.dumps(figures, ensure_ascii=False, sort_keys=False))
