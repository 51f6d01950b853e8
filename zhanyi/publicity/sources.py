"""Where a public notice is drafted from: the headquarters' decisions.

A notice (通告) is drafted from a decision taken elsewhere: a zone decision
(its text drafted by the zones app), a directive of the headquarters. Those
live in apps publicity may not import (a peer task force, the headquarters
above), so publicity declares this registry and the app above fills it
(``zhanyi.command.notice_sources``, imported by its ``AppConfig.ready``)::

    @register("zone_decision", _("Zone decision"))
    class ZoneDecisions:
        def drafts(self, area, limit): ...   # the latest decisions in ``area``
        def draft(self, key): ...            # one, or None

Nothing here names another app.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.utils.functional import Promise

if TYPE_CHECKING:
    from zhanyi.places.models import Area


@dataclass(frozen=True)
class Draft:
    """A notice's first text, from a decision."""

    kind: str
    key: str
    #: the decision in the reader's words ("万益学府花园 封控区 · 批准生效")
    label: str
    title: str
    body: str
    area: Area
    at: dt.datetime


class Provider(Protocol):
    def drafts(self, area: Area | None, limit: int) -> list[Draft]: ...

    def draft(self, key: str) -> Draft | None: ...


@dataclass(frozen=True)
class Source:
    kind: str
    label: str | Promise
    provider: Provider


_REGISTRY: dict[str, Source] = {}


def register(kind: str, label: str | Promise):
    """Register a class whose instance lists and gives drafts of ``kind``."""

    def decorate(cls):
        _REGISTRY[kind] = Source(kind, label, cls())
        return cls

    return decorate


def registered() -> list[Source]:
    return sorted(_REGISTRY.values(), key=lambda s: s.kind)


def get(kind: str) -> Source | None:
    return _REGISTRY.get(kind)


def drafts(area: Area | None, *, limit: int = 50) -> list[Draft]:
    """The latest decisions of every source in ``area`` (None: everywhere), newest first."""
    found: list[Draft] = []
    for source in registered():
        found.extend(source.provider.drafts(area, limit))
    return sorted(found, key=lambda d: d.at, reverse=True)[:limit]
