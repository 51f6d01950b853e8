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
processes (``zhanyi db_worker``) and a ``zhanyi scheduler`` for the periodic
jobs, and stops them when it stops; a deployment that runs them elsewhere
passes ``--workers 0 --no-scheduler``.
"""

from __future__ import annotations

import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def start_workers(count: int, say) -> list[subprocess.Popen]:
    workers = []
    for _ in range(count):
        workers.append(
            subprocess.Popen(
                [sys.executable, "-m", "zhanyi.cli", "db_worker", "--no-reload", "-v", "1"],
            )
        )
    if count:
        say(f"{count} background worker(s) started for imports and other long jobs")
    return workers


def start_scheduler(say) -> subprocess.Popen:
    """The periodic jobs (``zhanyi scheduler``): escalations, code refreshes."""
    say("scheduler started for periodic jobs (zhanyi scheduler --list shows them)")
    return subprocess.Popen([sys.executable, "-m", "zhanyi.cli", "scheduler"])


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for w in workers:
        if w.poll() is None:
            w.terminate()
    for w in workers:
        try:
            w.wait(timeout=10)
        except subprocess.TimeoutExpired:
            w.kill()


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
    running = start_workers(workers, say)
    if scheduler:
        running.append(start_scheduler(say))
    try:
        say(f"zhanyi is serving on http://{host}:{port}/  (Ctrl+C stops it)")
        if processes > 1:
            # granian handles SIGTERM and SIGINT itself: it stops its workers
            # and returns, and the background workers are stopped below.
            _granian(host, port, processes, threads)
        else:
            # The project's WSGI application (the scan lane in front of
            # Django), built only when this process serves it.
            from zhanyi.wsgi import application

            waitress_serve(application, host=host, port=port, threads=threads, ident="zhanyi")
    finally:
        stop_workers(running)


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

    def handle(self, *args, **options) -> None:
        from django.core.management.base import CommandError

        if options["workers"] < 0:
            raise CommandError("--workers must be 0 or more")
        if options["processes"] < 1 or options["threads"] < 1:
            raise CommandError("--processes and --threads must be 1 or more")
        serve(
            options["host"],
            options["port"],
            options["threads"],
            self.stdout.write,
            workers=options["workers"],
            processes=options["processes"],
            scheduler=not options["no_scheduler"],
        )
