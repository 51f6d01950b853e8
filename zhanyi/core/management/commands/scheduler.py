"""``zhanyi scheduler``: run the periodic jobs when they are due.

    zhanyi scheduler              # run until stopped, checking every 30 s
    zhanyi scheduler --once       # run what is due now and exit (for cron)
    zhanyi scheduler --list       # each job, its interval and its last run
    zhanyi scheduler --run NAME   # run one job now if it is due

``zhanyi serve`` starts one beside the web server. Several may run (one per
app server): each job runs once per interval whichever takes it.
"""

from __future__ import annotations

import signal
import sys
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zhanyi.core import periodic


class Command(BaseCommand):
    help = "Run the periodic jobs (escalating overdue screening tasks, refreshing codes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is due, then exit")
        parser.add_argument("--list", action="store_true", help="list the jobs and last runs")
        parser.add_argument("--run", metavar="NAME", help="run this job if it is due, then exit")
        parser.add_argument("--every", type=float, default=30.0, help="seconds between checks")

    def handle(self, *args, **options) -> None:
        names = [j.name for j in periodic.jobs()]
        if options["list"]:
            self._list()
            return
        if options["run"] is not None:
            if options["run"] not in names:
                raise CommandError(
                    f"no periodic job named {options['run']!r}; known: {', '.join(names)}"
                )
            ran = periodic.run_due(only=options["run"])
            if not ran:
                self.stdout.write(
                    f"{options['run']}: not due (it ran less than an interval ago; see --list)"
                )
            self._report(ran)
            return
        if options["once"]:
            self._report(periodic.run_due())
            return
        if options["every"] <= 0:
            raise CommandError("--every must be more than 0 seconds")
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write(f"scheduler: {len(names)} job(s): {', '.join(names)}")
        while True:
            self._report(periodic.run_due())
            time.sleep(options["every"])

    def _report(self, ran) -> None:
        for name, ok in ran:
            at = timezone.localtime()
            self.stdout.write(f"{at:%Y-%m-%d %H:%M:%S} {name}: {'ok' if ok else 'FAILED'}")

    def _list(self) -> None:
        from zhanyi.core.models import PeriodicRun

        runs = {r.name: r for r in PeriodicRun.objects.all()}
        for job in periodic.jobs():
            run = runs.get(job.name)
            minutes = int(job.interval.total_seconds() // 60)
            if run is None or run.started_at is None:
                last = "never run"
            else:
                state = {True: "ok", False: "FAILED", None: "running"}[run.ok]
                started = timezone.localtime(run.started_at)
                lines = run.summary.splitlines()
                last = f"last {started:%Y-%m-%d %H:%M:%S} {state}: {lines[-1] if lines else ''}"
            self.stdout.write(f"{job.name}  every {minutes} min  {last}")
