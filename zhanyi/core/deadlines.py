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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

from zhanyi.core.metrics import tally_in
from zhanyi.engine.protocol import load_protocol

if TYPE_CHECKING:
    from django.db.models import QuerySet

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
class Rows:
    """A deadline whose items are rows of one table, one item a row, as
    querysets over every area: the supervision figures count its open items
    in SQL by area (``counts_in``) instead of making an ``Item`` of each row
    (the city's overdue screening tasks: a quarter of a millisecond each)."""

    #: ``open(now)``: the rows of the items still open past their due time
    open: Callable[[dt.datetime], QuerySet]
    #: ``closed(now)``: the rows of the items closed late within the window
    closed: Callable[[dt.datetime], QuerySet]
    #: the rows' foreign key to their area, their due time (a field, or a
    #: function giving an expression: a tube's sampling time and the limit)
    #: and their closing time
    area: str
    due: str | Callable[[], Any]
    closed_at: str


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
    #: its items as rows, for counting them in SQL (None: only as items)
    rows: Rows | None = None

    def hours(self) -> int | None:
        """The protocol's number of hours for this deadline (None: per item)."""
        if not self.hours_key:
            return None
        section, key = self.hours_key.split(".")
        return getattr(getattr(load_protocol(), section), key)


_REGISTRY: dict[str, Deadline] = {}


def deadline(
    name: str,
    label: str | Promise,
    hours: str = "",
    *,
    owner: str,
    nested: bool = True,
    rows: Rows | None = None,
):
    """Register ``fn(area, now) -> [Item]`` as the one definition of a deadline;
    ``nested``: see ``Deadline.nested``; ``rows``: the same items as rows
    (``fn`` reads its items from them, so they cannot disagree)."""
    if hours:
        section, _dot, key = hours.partition(".")
        if not hasattr(getattr(load_protocol(), section, None), key):
            raise ValueError(f"deadline {name!r}: no protocol key {hours!r}")

    def decorate(fn: Callable[[Area | None, dt.datetime], list[Item]]):
        if name in _REGISTRY and _REGISTRY[name].fn is not fn:
            raise ValueError(f"deadline {name!r} is defined twice")
        _REGISTRY[name] = Deadline(name, label, hours, owner, fn, nested, rows)
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


def overdue_in(
    areas: Sequence[Area | None], now: dt.datetime, names: list[str] | None = None
) -> list[list[Item]]:
    """``overdue`` for each of ``areas`` (of the registered deadlines, or of
    ``names``), reading each nested deadline once for the widest of them (the
    city, for the report's city and counties) and giving each area below it
    the items that lie in it; the others are read area by area."""
    widest = [a for a in areas if not any(_within(a, b) and a != b for b in areas)]
    found: list[list[Item]] = [[] for _ in areas]
    for entry in registered():
        if names is not None and entry.name not in names:
            continue
        if not entry.nested:
            for items, area in zip(found, areas, strict=True):
                items.extend(entry.fn(area, now))
            continue
        read = {_key(top): entry.fn(top, now) for top in widest}
        for items, area in zip(found, areas, strict=True):
            top = next(t for t in widest if _within(area, t))
            items.extend(i for i in read[_key(top)] if _within(i.area, area))
    return [sorted(items, key=lambda i: i.late_by(now), reverse=True) for items in found]


@dataclass
class Counts:
    """What the supervision figures read of an area's ledger: its open items
    by owning task force, and how late each item closed late was."""

    open_by_owner: dict[str, int] = field(default_factory=dict)
    hours_late_closed: list[float] = field(default_factory=list)

    def add_open(self, owner: str, n: int = 1) -> None:
        self.open_by_owner[owner] = self.open_by_owner.get(owner, 0) + n


def counts_in(areas: Sequence[Area | None], now: dt.datetime) -> list[Counts]:
    """The ledger's counts for each of ``areas``: a deadline with ``rows``
    has its open items counted in SQL, one grouped query for all the areas,
    and its late closings read as (area, due, closed) rows; the others are
    read as items (``overdue_in``)."""
    found = [Counts() for _ in areas]
    as_items = [d.name for d in registered() if d.rows is None]
    for counts, items in zip(found, overdue_in(areas, now, as_items), strict=True):
        for item in items:
            if item.closed_at is None:
                counts.add_open(owner_of(item))
            else:
                counts.hours_late_closed.append(item.late_by(now).total_seconds() / 3600)
    for entry in registered():
        if entry.rows is None:
            continue
        rows = entry.rows
        for counts, n in zip(found, tally_in(rows.open(now), rows.area, areas), strict=True):
            if n:
                counts.add_open(entry.owner, n)
        due = rows.due() if callable(rows.due) else rows.due
        closed = rows.closed(now).values_list(f"{rows.area}__path", due, rows.closed_at)
        for path, due, closed_at in closed:
            hours = (closed_at - due).total_seconds() / 3600
            for counts, area in zip(found, areas, strict=True):
                if area is None or (path is not None and path.startswith(area.path)):
                    counts.hours_late_closed.append(hours)
    return found


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
