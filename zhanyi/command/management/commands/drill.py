"""``zhanyi drill …``: drills (演练), a scenario replayed into a database of
its own (docs/drills.md).

- ``start NAME --scenario demo|city``: make the drill's database, load the
  scenario in a process of the drill, record the drill (live database)
- ``list`` · ``stop NAME`` · ``delete NAME`` (drops the drill's database)
- ``run NAME ARGS…``: any ``zhanyi`` command, run in the drill
  (``zhanyi drill run d1 directive list``)
- ``load NAME --scenario S``: what ``start`` runs inside the drill; refused
  anywhere else

Work in a drill on its own port: ``zhanyi serve --drill NAME --port 8001``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhanyi.command import drills
from zhanyi.command.actions import drills as drill_actions
from zhanyi.command.models import Drill, DrillState
from zhanyi.core.audit import cli_actor

from .supervision import local, refused


def drill_named(name: str) -> Drill:
    drill = Drill.objects.exclude(state=DrillState.DELETED).filter(name=name).first()
    if drill is None:
        raise CommandError(f"no drill named {name!r}")
    return drill


class Command(BaseCommand):
    help = "Drills: start, list, stop, delete, run a command in one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        start = sub.add_parser("start", help="start a drill of a scenario")
        start.add_argument("name")
        start.add_argument("--scenario", default="demo", choices=sorted(drills.SCENARIOS))
        sub.add_parser("list", help="the drills")
        for verb in ("stop", "delete"):
            sub.add_parser(verb).add_argument("name")
        run = sub.add_parser("run", help="run a zhanyi command in the drill")
        run.add_argument("name")
        run.add_argument("command_args", nargs=argparse.REMAINDER, metavar="COMMAND")
        load = sub.add_parser("load", help="(inside the drill) load its scenario")
        load.add_argument("name")
        load.add_argument("--scenario", required=True, choices=sorted(drills.SCENARIOS))

    def handle(self, *args, **options) -> None:
        verbs = {
            "start": self._start,
            "list": self._list,
            "stop": self._stop,
            "delete": self._delete,
            "run": self._run,
            "load": self._load,
        }
        try:
            verbs[options["verb"]](options)
        except ValidationError as error:
            raise refused(error) from None

    def _start(self, options) -> None:
        actor = cli_actor()
        drill = drill_actions.do_start_drill(
            acting_user=actor, name=options["name"], scenario=options["scenario"]
        )
        self.stdout.write(f"drill {drill.name}: preparing {drill.database}…")
        drill = drill_actions.do_prepare_drill(drill, acting_user=actor, out=self.stdout)
        if drill.state != DrillState.READY:
            raise CommandError(f"drill {drill.name} failed; `zhanyi drill delete {drill.name}`")
        self.stdout.write(
            f"drill {drill.name} is ready. Work in it: zhanyi serve --drill {drill.name}"
            f" --port 8001, or zhanyi drill run {drill.name} COMMAND…"
        )

    def _list(self, options) -> None:
        for d in Drill.objects.exclude(state=DrillState.DELETED):
            self.stdout.write(
                f"{d.name}\t{d.get_state_display()}\t{d.scenario}\t{local(d.started_at)}\t"
                f"{d.started_by_name}\t{d.database}"
            )

    def _stop(self, options) -> None:
        drill = drill_actions.do_stop_drill(drill_named(options["name"]), acting_user=cli_actor())
        self.stdout.write(f"drill {drill.name}: stopped")

    def _delete(self, options) -> None:
        drill = drill_actions.do_delete_drill(drill_named(options["name"]), acting_user=cli_actor())
        self.stdout.write(f"drill {drill.name}: deleted, {drill.database} dropped")

    def _run(self, options) -> None:
        drill = drill_named(options["name"])
        if drill.state != DrillState.READY:
            raise CommandError(f"drill {drill.name} is {drill.get_state_display()}, not ready")
        args = [a for a in options["command_args"] if a != "--"]
        if not args:
            raise CommandError("name the zhanyi command to run in the drill")
        code = drills.run(drill.name, drill.database, args, out=self.stdout)
        if code:
            raise CommandError(f"exit status {code} in drill {drill.name}")

    def _load(self, options) -> None:
        name = options["name"]
        if drills.current() != name:
            raise CommandError(
                f"`drill load` runs inside drill {name} only (started by `zhanyi drill start`)"
            )
        # Inside the drill, its folder is the data folder.
        seed = json.loads((Path(settings.DATA_DIR) / drills.SEED_FILE).read_text())
        call_command("migrate", verbosity=0, interactive=False)
        say = self.stdout.write
        drills.SCENARIOS[options["scenario"]].load(seed, say)
        if seed.get("account"):
            drills.copy_account(seed["account"], say)
        sys.stdout.flush()
