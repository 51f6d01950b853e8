"""``zhanyi serve``: serve the web app with waitress (a production WSGI server)."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def serve(host: str, port: int, threads: int, say) -> None:
    from waitress import serve as waitress_serve

    if not settings.DEBUG:
        # Before the WSGI app exists: WhiteNoise indexes STATIC_ROOT when its
        # middleware starts, so files collected later would not be served.
        call_command("collectstatic", interactive=False, verbosity=0)
    from zhanyi.wsgi import application

    say(f"zhanyi is serving on http://{host}:{port}/  (Ctrl+C stops it)")
    waitress_serve(application, host=host, port=port, threads=threads, ident="zhanyi")


class Command(BaseCommand):
    help = "Serve the web app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, **options) -> None:
        serve(options["host"], options["port"], options["threads"], self.stdout.write)
