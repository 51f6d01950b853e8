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
from zhanyi.core.metrics import figure, for_areas
from zhanyi.places.models import Area


def _ledger(area: Area | None) -> tuple[dt.datetime, list[deadlines.Item]]:
    """The supervision ledger of ``area`` at one moment, read once by all of
    this module's figures computed together (each app's deadlines are queried
    once per pass, not once per figure)."""

    def read() -> tuple[dt.datetime, list[deadlines.Item]]:
        now = timezone.now()
        return now, deadlines.overdue(area, now)

    return figure_cache.shared(("command.ledger", area.pk if area else None), read)


def _counts(areas) -> list[deadlines.Counts]:
    """The ledgers' counts of ``areas`` at one moment (``deadlines.counts_in``:
    open items counted in SQL where a deadline gives its rows, each deadline
    read once for all the areas), once per pass of figures."""
    key = ("command.ledger_counts", tuple(a.pk if a is not None else None for a in areas))
    return figure_cache.shared(key, lambda: deadlines.counts_in(areas, timezone.now()))


def _open(items: list[deadlines.Item]) -> list[deadlines.Item]:
    return [i for i in items if i.closed_at is None]


def _open_items(area: Area | None) -> list[deadlines.Item]:
    return _open(_ledger(area)[1])


def _median_hours_late(now: dt.datetime, items: list[deadlines.Item]) -> float:
    late = [i.late_by(now).total_seconds() / 3600 for i in items if i.closed_at is not None]
    return _median(late)


def _median(hours: list[float]) -> float:
    return round(statistics.median(hours), 1) if hours else 0.0


@figure(
    "command.overdue_items",
    _("Overdue items (all task forces)"),
    _("items"),
    order=90,
    link="command:supervision",
)
def overdue_items(area: Area | None) -> int:
    return len(_open_items(area))


@for_areas("command.overdue_items")
def overdue_items_in(areas) -> list[int]:
    return [sum(c.open_by_owner.values()) for c in _counts(areas)]


@figure(
    "command.median_hours_late_to_close",
    _("Median time past the deadline before closing (last 7 days)"),
    _("hours"),
    order=99,
    link="command:supervision",
)
def median_hours_late_to_close(area: Area | None) -> float:
    return _median_hours_late(*_ledger(area))


@for_areas("command.median_hours_late_to_close")
def median_hours_late_to_close_in(areas) -> list[float]:
    return [_median(c.hours_late_closed) for c in _counts(areas)]


def _register_owner_figure(owner: str, order: int) -> None:
    def owned(items: list[deadlines.Item]) -> int:
        return sum(1 for i in _open(items) if deadlines.owner_of(i) == owner)

    def count(area: Area | None) -> int:
        return owned(_ledger(area)[1])

    def count_in(areas) -> list[int]:
        return [c.open_by_owner.get(owner, 0) for c in _counts(areas)]

    name = f"command.overdue.{owner}"
    figure(
        name,
        format_lazy("{}: {}", _("Overdue items"), TaskForceKind(owner).label),
        _("items"),
        order=order,
        link=f"command:supervision?owner={owner}",
    )(count)
    for_areas(name)(count_in)


# One figure per task force that owns a registered deadline; an item owned by
# another task force (a directive's) counts for that one when it has a figure.
for _n, _owner in enumerate(sorted({d.owner for d in deadlines.registered()})):
    _register_owner_figure(_owner, 91 + _n)
