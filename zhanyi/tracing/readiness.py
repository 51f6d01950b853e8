"""The first day's check of the location data feeds (``zhanyi.core.readiness``):
the days of operators' stays in the companion store."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.core.readiness import DONE, MISSING, Status, check
from zhanyi.engine.companions import Store


@check(
    "feeds",
    gettext_lazy("Location data feeds"),
    order=80,
    url="tracing:feeds",
    command="zhanyi companions feed FILE … --operator NAME",
)
def feeds() -> Status:
    root = Path(settings.DATA_DIR) / "companions"
    days = Store(root).days() if root.exists() else []
    if not days:
        return Status(MISSING, _("No days of operators' stays have arrived."))
    return Status(
        DONE,
        _("%(days)s days of stays, %(first)s to %(last)s")
        % {"days": len(days), "first": days[0], "last": days[-1]},
    )
