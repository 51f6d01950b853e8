"""``zhanyi serve``: serve the web app with a production WSGI server, with
background task workers beside it.

One process (the default) is waitress: threads in one Python process, which
runs anywhere. ``--processes N`` (N > 1) is granian with N worker processes of
``--threads`` threads each: Python runs one thread at a time per process, so a
busy installation (a round's sampling points scanning at once) needs a process
per core to use the machine. Granian reads and writes HTTP in Rust, outside
Python's lock: under the scan load it answered a fifth more requests a second
than gunicorn's threaded workers on the same two cores (docs/testing.md).

Imports of pushed lists, lab files and other long jobs run as background tasks
(django-tasks, database backend). ``serve`` starts ``--workers`` worker
processes (``zhanyi worker``) and a ``zhanyi scheduler`` for the periodic
jobs, starts again any that exits (``zhanyi.core.worker.Supervisor``) and stops
them when it stops; a deployment that runs them elsewhere passes
``--workers 0 --no-scheduler`` and supervises them itself.
"""

from __future__ import annotations

import os
import signal
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from zhanyi.core import prometheus
from zhanyi.core.worker import Supervisor


def supervised(workers: int, scheduler: bool) -> list[tuple[str, list[str]]]:
    """The background processes ``serve`` keeps running: ``workers`` task workers
    (``zhanyi worker``) and the periodic jobs' ``zhanyi scheduler``."""
    cli = [sys.executable, "-m", "zhanyi.cli"]
    commands = [
        (f"background worker {i + 1}", [*cli, "worker", "--no-reload", "-v", "1"])
        for i in range(workers)
    ]
    if scheduler:
        commands.append(("scheduler", [*cli, "scheduler"]))
    return commands


def _granian(host: str, port: int, processes: int, threads: int) -> None:
    """Run granian in this process until it is stopped: N worker processes,
    each loading the app itself (no database connection is shared), each
    with ``threads`` threads running the app; HTTP is handled in Rust."""
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        "zhanyi.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=processes,
        blocking_threads=threads,
        websockets=False,
        respawn_failed_workers=True,
        # A stop waits this long for requests in flight (an upload being read).
        workers_kill_timeout=15,
        log_access=False,
    ).serve()


def serve(
    host: str,
    port: int,
    threads: int,
    say,
    workers: int = 1,
    processes: int = 1,
    scheduler: bool = True,
) -> None:
    from waitress import serve as waitress_serve

    if not settings.DEBUG:
        # Before the WSGI app exists: WhiteNoise indexes STATIC_ROOT when its
        # middleware starts, so files collected later would not be served.
        call_command("collectstatic", interactive=False, verbosity=0)
    # A stop by SIGTERM (a service manager, `kill`) unwinds like Ctrl+C, so
    # the workers are stopped too instead of being left orphaned.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # A background process that exits (a crash, a kill, the OOM killer) is
    # started again, with a growing wait while it keeps failing, and logged.
    supervisor = Supervisor(supervised(workers, scheduler), say)
    supervisor.start()
    if workers:
        say(f"{workers} background worker(s) started for imports and other long jobs")
    if scheduler:
        say("scheduler started for periodic jobs (zhanyi scheduler --list shows them)")
    try:
        say(f"zhanyi is serving on http://{host}:{port}/  (Ctrl+C stops it)")
        if processes > 1:
            # One /metrics for all the processes, whichever answers the scrape.
            prometheus.share_between_processes(settings.DATA_DIR / "prometheus")
            # granian handles SIGTERM and SIGINT itself: it stops its workers
            # and returns, and the background workers are stopped below.
            _granian(host, port, processes, threads)
        else:
            # The project's WSGI application (the scan lane in front of
            # Django), built only when this process serves it.
            from zhanyi.wsgi import application

            waitress_serve(application, host=host, port=port, threads=threads, ident="zhanyi")
    finally:
        supervisor.stop()


def serve_drill(options: dict) -> None:
    """Become a server of the drill: this process, started again with the
    drill's environment (its database, its data folder, ``ZHANYI_DRILL``),
    so nothing it serves is connected to the live database."""
    from django.core.management.base import CommandError

    from zhanyi.command import drills
    from zhanyi.command.models import Drill, DrillState

    name = options["drill"]
    drill = Drill.objects.exclude(state=DrillState.DELETED).filter(name=name).first()
    if drill is None or drill.state != DrillState.READY:
        state = drill.get_state_display() if drill else "unknown"
        raise CommandError(f"drill {name!r} is not ready ({state}); see `zhanyi drill list`")
    args = [
        *drills.CLI,
        "serve",
        f"--host={options['host']}",
        f"--port={options['port']}",
        f"--threads={options['threads']}",
        f"--processes={options['processes']}",
        f"--workers={options['workers']}",
        *(["--no-scheduler"] if options["no_scheduler"] else []),
    ]
    sys.stdout.flush()
    os.execve(sys.executable, args, drills.environment(drill.name, drill.database))


class Command(BaseCommand):
    help = "Serve the web app, with background workers for long jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8, help="request threads (per process)")
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="server processes; more than 1 uses granian, one per core is typical",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="background task workers to start beside the server (0: run them elsewhere)",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="do not start `zhanyi scheduler` (the periodic jobs) beside the server",
        )
        parser.add_argument(
            "--drill",
            help="serve the drill of that name (zhanyi drill start): its own database only",
        )

    def handle(self, *args, **options) -> None:
        from django.core.management.base import CommandError

        if options["workers"] < 0:
            raise CommandError("--workers must be 0 or more")
        if options["processes"] < 1 or options["threads"] < 1:
            raise CommandError("--processes and --threads must be 1 or more")
        if options["drill"]:
            serve_drill(options)
        serve(
            options["host"],
            options["port"],
            options["threads"],
            self.stdout.write,
            workers=options["workers"],
            processes=options["processes"],
            scheduler=not options["no_scheduler"],
        )
