"""Figures of supervision (督导): the overdue items of every task force (the
supervision ledger's count, by owning task force) and how long late work
takes to close. Each registered deadline (``zhanyi.core.deadlines``) counts."""

from __future__ import annotations

import datetime as dt
import statistics

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.core import deadlines, figure_cache
from zhanyi.core.metrics import figure
from zhanyi.places.models import Area


def _ledger(area: Area | None) -> tuple[dt.datetime, list[deadlines.Item]]:
    """The supervision ledger of ``area`` at one moment, read once by all of
    this module's figures computed together (each app's deadlines are queried
    once per pass, not once per figure)."""

    def read() -> tuple[dt.datetime, list[deadlines.Item]]:
        now = timezone.now()
        return now, deadlines.overdue(area, now)

    return figure_cache.shared(("command.ledger", area.pk if area else None), read)


def _open_items(area: Area | None) -> list[deadlines.Item]:
    return [i for i in _ledger(area)[1] if i.closed_at is None]


@figure(
    "command.overdue_items",
    _("Overdue items (all task forces)"),
    _("items"),
    order=90,
    link="command:supervision",
)
def overdue_items(area: Area | None) -> int:
    return len(_open_items(area))


@figure(
    "command.median_hours_late_to_close",
    _("Median time past the deadline before closing (last 7 days)"),
    _("hours"),
    order=99,
    link="command:supervision",
)
def median_hours_late_to_close(area: Area | None) -> float:
    now, items = _ledger(area)
    late = [i.late_by(now).total_seconds() / 3600 for i in items if i.closed_at is not None]
    return round(statistics.median(late), 1) if late else 0.0


def _register_owner_figure(owner: str, order: int) -> None:
    def count(area: Area | None) -> int:
        return sum(1 for i in _open_items(area) if deadlines.owner_of(i) == owner)

    figure(
        f"command.overdue.{owner}",
        format_lazy("{}: {}", _("Overdue items"), TaskForceKind(owner).label),
        _("items"),
        order=order,
        link=f"command:supervision?owner={owner}",
    )(count)


# One figure per task force that owns a registered deadline; an item owned by
# another task force (a directive's) counts for that one when it has a figure.
for _n, _owner in enumerate(sorted({d.owner for d in deadlines.registered()})):
    _register_owner_figure(_owner, 91 + _n)
