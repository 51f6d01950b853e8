"""Deadlines (时限) every task force keeps, for supervision (督导) to chase.

Each app declares its deadlines once, in its own ``deadlines.py``::

    from zhanyi.core.deadlines import Item, deadline

    @deadline("tracing.investigation", _("Case investigation"), "deadlines.investigation_hours",
              owner="investigation")
    def investigations(area, now):
        return [Item(...) for case in ...]

The function returns the items of that deadline within ``area`` (None: the
whole city) that are overdue at ``now``: still open past their due time, and
those closed late within the last ``LATE_WINDOW`` (so a late case report, which
is closed the moment it exists, is seen too). ``hours`` names the protocol key
the deadline comes from (``section.key`` of ``zhanyi.engine.protocol``), or is
empty when each item carries its own due time (a directive). ``owner`` is the
task force that owns the work (a ``TaskForceKind`` value of ``accounts``; an
item may name another).

The headquarters' supervision ledger (``zhanyi.command``) reads every
registered deadline through ``overdue``; nothing here names an app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

from zhanyi.engine.protocol import load_protocol

if TYPE_CHECKING:
    from zhanyi.places.models import Area

#: How far back an item closed late still shows in the ledger.
LATE_WINDOW = dt.timedelta(days=7)


@dataclass(frozen=True)
class Item:
    """One overdue piece of work."""

    deadline: str
    #: what is late, in the reader's words ("Investigation of case #12")
    what: str
    #: whose person or object it is; a person's name masked (张**), never an id
    whose: str
    area: Area
    due_at: dt.datetime
    #: when it was done, late (None: still open)
    closed_at: dt.datetime | None = None
    #: the page where the work is done (a path), "" when there is none
    link: str = ""
    #: the owning task force, when it is not the deadline's own
    owner: str = ""

    def late_by(self, now: dt.datetime) -> dt.timedelta:
        return (self.closed_at or now) - self.due_at


@dataclass(frozen=True)
class Deadline:
    name: str
    label: str | Promise
    #: the protocol key (``deadlines.case_report_hours``), "" when items carry their own
    hours_key: str
    owner: str
    fn: Callable[[Area | None, dt.datetime], list[Item]]
    #: an area's items are exactly those of a wider area whose ``area`` lies
    #: within it (each item stands alone); False for a deadline whose items
    #: depend on one another within the area read (one item per person)
    nested: bool = True

    def hours(self) -> int | None:
        """The protocol's number of hours for this deadline (None: per item)."""
        if not self.hours_key:
            return None
        section, key = self.hours_key.split(".")
        return getattr(getattr(load_protocol(), section), key)


_REGISTRY: dict[str, Deadline] = {}


def deadline(name: str, label: str | Promise, hours: str = "", *, owner: str, nested: bool = True):
    """Register ``fn(area, now) -> [Item]`` as the one definition of a deadline;
    ``nested``: see ``Deadline.nested``."""
    if hours:
        section, _dot, key = hours.partition(".")
        if not hasattr(getattr(load_protocol(), section, None), key):
            raise ValueError(f"deadline {name!r}: no protocol key {hours!r}")

    def decorate(fn: Callable[[Area | None, dt.datetime], list[Item]]):
        if name in _REGISTRY and _REGISTRY[name].fn is not fn:
            raise ValueError(f"deadline {name!r} is defined twice")
        _REGISTRY[name] = Deadline(name, label, hours, owner, fn, nested)
        return fn

    return decorate


def discover() -> None:
    autodiscover_modules("deadlines")


def registered() -> list[Deadline]:
    discover()
    return sorted(_REGISTRY.values(), key=lambda d: d.name)


def get(name: str) -> Deadline:
    discover()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no deadline named {name!r}") from None


def owner_of(item: Item) -> str:
    return item.owner or get(item.deadline).owner


def overdue(area: Area | None, now: dt.datetime, *, names: list[str] | None = None) -> list[Item]:
    """Every overdue item of the registered deadlines (or of ``names``) in
    ``area``, the latest first."""
    items: list[Item] = []
    for entry in registered():
        if names is None or entry.name in names:
            items.extend(entry.fn(area, now))
    return sorted(items, key=lambda i: i.late_by(now), reverse=True)


def overdue_in(areas: Sequence[Area | None], now: dt.datetime) -> list[list[Item]]:
    """``overdue`` for each of ``areas``, reading each nested deadline once
    for the widest of them (the city, for the report's city and counties)
    and giving each area below it the items that lie in it; the others are
    read area by area."""
    widest = [a for a in areas if not any(_within(a, b) and a != b for b in areas)]
    found: list[list[Item]] = [[] for _ in areas]
    for entry in registered():
        if not entry.nested:
            for items, area in zip(found, areas, strict=True):
                items.extend(entry.fn(area, now))
            continue
        read = {_key(top): entry.fn(top, now) for top in widest}
        for items, area in zip(found, areas, strict=True):
            top = next(t for t in widest if _within(area, t))
            items.extend(i for i in read[_key(top)] if _within(i.area, area))
    return [sorted(items, key=lambda i: i.late_by(now), reverse=True) for items in found]


def _key(area: Area | None):
    return None if area is None else area.pk


def _within(area: Area | None, wider: Area | None) -> bool:
    """Whether ``area`` lies in ``wider`` (None: everywhere)."""
    if wider is None:
        return True
    return area is not None and area.path.startswith(wider.path)


def window_start(now: dt.datetime) -> dt.datetime:
    """Items closed late before this are no longer in the ledger."""
    return now - LATE_WINDOW
