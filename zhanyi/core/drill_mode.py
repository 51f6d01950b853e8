"""A process working in a drill (演练): ``ZHANYI_DRILL=<name>`` (settings
``DRILL``) with the drill's own ``DATABASE_URL`` and data folder, started
by ``zhanyi drill …`` or ``zhanyi serve --drill NAME`` (docs/drills.md).

Every page says so in a coloured banner (``context``), and once the drill
is stopped (a ``stopped`` file in its data folder, written by the live
system, which records the drill) its pages refuse work
(``StoppedDrillMiddleware``, installed only in a drill's process)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

#: The file in a drill's data folder that marks it stopped.
STOPPED_FILE = "stopped"


def context(request: HttpRequest) -> dict:
    return {"drill_name": settings.DRILL} if settings.DRILL else {}


class StoppedDrillMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (Path(settings.DATA_DIR) / STOPPED_FILE).exists():
            return HttpResponse(
                _("The drill %(name)s is stopped: its pages take no more work.")
                % {"name": settings.DRILL},
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
