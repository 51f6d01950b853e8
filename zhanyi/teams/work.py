"""A team's open work, from every app that gives teams work (the registry).

Teams sit below the task-force apps, so they cannot ask tracing for a tracing
team's cases or screening for a village's tasks. Each app that gives teams
work registers, in a ``team_work`` module, what one kind of work is: the open
items of one team (for its page) and how many are open, due soon and overdue
for many teams at once (for the figures and the list of teams). The control
list (``control``) is the teams' own and registered here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from .models import Team


@dataclass(frozen=True)
class WorkItem:
    """One open piece of a team's work: what, by when, and where to do it."""

    kind: str
    label: str
    due_at: dt.datetime
    url: str = ""

    def overdue(self, now: dt.datetime) -> bool:
        return self.due_at < now


@dataclass
class Workload:
    """How much of a team's work is open, due soon (``DUE_SOON``) and overdue."""

    open: int = 0
    due_soon: int = 0
    overdue: int = 0

    def add(self, other: Workload) -> None:
        self.open += other.open
        self.due_soon += other.due_soon
        self.overdue += other.overdue


@dataclass(frozen=True)
class WorkKind:
    name: str
    label: str | Promise
    #: the open items of one team, most urgent first (at most ``limit``)
    items: Callable[[Team, int], list[WorkItem]]
    #: team id → its workload, for the teams given (ids absent: no work)
    counts: Callable[[Sequence[Team], dt.datetime, dt.datetime], dict[int, Workload]]
    kinds: tuple[str, ...] = field(default=())


_KINDS: dict[str, WorkKind] = {}
_discovered = False


def work_kind(
    name: str,
    label: str | Promise,
    *,
    team_kinds: Iterable[str],
    items: Callable[[Team, int], list[WorkItem]],
    counts: Callable[[Sequence[Team], dt.datetime, dt.datetime], dict[int, Workload]],
) -> None:
    """Register one kind of work that teams of ``team_kinds`` do."""
    if name in _KINDS and _KINDS[name].items is not items:
        raise ValueError(f"team work {name!r} is registered twice")
    _KINDS[name] = WorkKind(name, label, items, counts, tuple(team_kinds))


def kinds_for(team_kind: str) -> list[WorkKind]:
    global _discovered
    if not _discovered:
        autodiscover_modules("team_work")
        _discovered = True
    return [k for k in sorted(_KINDS.values(), key=lambda k: k.name) if team_kind in k.kinds]


def due_soon_until(now: dt.datetime) -> dt.datetime:
    """Work due before this is "due soon" (``ZHANYI_DUE_SOON_HOURS``, 2 by default)."""
    return now + dt.timedelta(hours=settings.ZHANYI_DUE_SOON_HOURS)


def workloads(teams: Sequence[Team], now: dt.datetime | None = None) -> dict[int, Workload]:
    """Team id → its workload over every kind of work it does."""
    now = now or timezone.now()
    soon = due_soon_until(now)
    result = {t.pk: Workload() for t in teams}
    by_kind: dict[str, list[Team]] = {}
    for team in teams:
        for kind in kinds_for(team.kind):
            by_kind.setdefault(kind.name, []).append(team)
    for name, members in by_kind.items():
        for team_id, load in _KINDS[name].counts(members, now, soon).items():
            result[team_id].add(load)
    return result


def items_of(team: Team, limit: int = 50) -> list[tuple[WorkKind, list[WorkItem]]]:
    """The team's open work by kind, most urgent first."""
    return [(kind, kind.items(team, limit)) for kind in kinds_for(team.kind)]
