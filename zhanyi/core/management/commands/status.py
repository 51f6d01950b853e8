"""``zhanyi status``: what this installation has loaded and what is missing.

The same checks as the first-day page (``zhanyi.core.readiness``): areas,
boundaries, people, places, staff, headquarters and task forces, the protocol
edition, the data feeds, each with the command that loads it. ``--json`` for
a script: one object per check (key, label, state, summary, details, command).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from zhanyi.core import readiness


class Command(BaseCommand):
    help = "What is loaded and what is missing: areas, people, places, staff, feeds …"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="one JSON object per check")

    def handle(self, *args, **options) -> None:
        results = readiness.run()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "key": c.key,
                            "label": str(c.label),
                            "state": s.state,
                            "summary": s.summary,
                            "details": s.details,
                            "command": c.command,
                        }
                        for c, s in results
                    ],
                    ensure_ascii=False,
                    indent=1,
                )
            )
            return
        marks = {readiness.DONE: "✓", readiness.PARTIAL: "…", readiness.MISSING: "✗"}
        width = max(len(str(c.label)) for c, _s in results)
        for check, status in results:
            self.stdout.write(f"{marks[status.state]} {check.label!s:<{width}}  {status.summary}")
            for line in status.details:
                self.stdout.write(f"    {line}")
            if status.state != readiness.DONE and check.command:
                self.stdout.write(f"    → {check.command}")
        done = sum(s.state == readiness.DONE for _c, s in results)
        self.stdout.write(f"{done} of {len(results)} loaded")
