"""``zhanyi demo``: build the synthetic city, print the logins, serve."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhanyi.accounts.demo import DemoAreaMissing
from zhanyi.command.demo import (
    DEFAULT_SEED,
    REPLAY_CLOCK,
    NotADemoDatabase,
    ReplayNeedsCity,
    build_demo,
    compound_resident,
    replay_on_loaded_city,
)
from zhanyi.core import clock

from .serve import serve


class Command(BaseCommand):
    help = "Build (or reuse) the demo city and serve the web app on it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", default="small", help="small (default), medium, full, or a number of people"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--fresh", action="store_true", help="rebuild even if loaded")
        parser.add_argument("--no-serve", action="store_true", help="build, print, exit")
        parser.add_argument(
            "--no-replay",
            action="store_true",
            help="load the city without replaying September 2021",
        )
        parser.add_argument(
            "--replay-only",
            action="store_true",
            help="replay September 2021 on the city loaded here through the importers "
            "(its own staff act), then exit: no synthetic city, no demo accounts",
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, **options) -> None:
        say = self.stdout.write
        if options["replay_only"]:
            try:
                replayed = replay_on_loaded_city(seed=options["seed"], say=say)
            except ReplayNeedsCity as exc:
                raise CommandError(str(exc)) from exc
            self._say_replay(replayed)
            return
        try:
            result = build_demo(
                scale=options["scale"],
                seed=options["seed"],
                fresh=options["fresh"],
                say=say,
                replay=not options["no_replay"],
            )
        except (NotADemoDatabase, DemoAreaMissing, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        counts = result.counts
        say("")
        say(self.style.SUCCESS("The demo city is ready."))
        say(
            f"  people {counts.get('people', '?'):,}  households {counts.get('households', '?'):,}"
            f"  places {counts.get('places', '?'):,}  stays {counts.get('stays', '?'):,}"
        )
        say("  " + "  ".join(f"{k} {v:.1f}" for k, v in result.seconds.items()))
        if result.replay:
            self._say_replay(result.replay)
        say("")
        say(
            f"Open http://{options['host']}:{options['port']}/ and log in as one of these"
            " (passwords are new each run):"
        )
        for username, role, area, password in result.accounts:
            say(f"  {username:<12} {password:<24} {role} · {area}")
        say("")
        resident = compound_resident()
        if resident is not None:
            say("Companions (时空伴随) of a resident of 万益学府花园, ill from 14 Sep:")
            say(
                f"  zhanyi companions find --case {resident.external_id} --onset 2021-09-14"
                " --isolated 2021-09-16T22:00"
            )
            say("")
        if not options["no_serve"]:
            # The city is served on its story's clock (zhanyi.core.clock): from
            # the moment the replay ends, in this process and every one it
            # starts, so no task turns overdue and no code changes only because
            # today is not September 2021; the periodic jobs run on that clock.
            # The replay ran on that clock too: the served clock starts where
            # it ended, so nothing it wrote lies ahead.
            start = max(REPLAY_CLOCK, result.replay.get("story_now", REPLAY_CLOCK))
            start = start.astimezone(REPLAY_CLOCK.tzinfo)
            os.environ[clock.ENV] = clock.setting_for(start)
            clock.follow()
            say(
                f"The demo runs on its story's clock, from {start:%Y-%m-%d %H:%M} on;"
                " a command run beside it keeps that clock with"
            )
            say(f"  export {clock.ENV}={os.environ[clock.ENV]}")
            serve(options["host"], options["port"], 8, say)

    def _say_replay(self, replay: dict) -> None:
        t = replay["tracing"]
        s = replay["screening"]
        self.stdout.write(
            f"  September 2021 replayed: {s['records']:,} pushed records, "
            f"{t['cases']} cases, {t['close_contacts']} close and "
            f"{t['secondary_contacts']} secondary contacts, {t['companions']} companions"
        )
