"""Which risk tier covers an area or a place (分区分级), for every app that asks.

The zones app (``zhanyi.zones``) decides the tiers: sealed (封控区), controlled
(管控区) and prevention (防范区) zones, and the high- and medium-risk areas
(高风险地区、中风险地区) named for the outside world. Other task forces must act
on them without importing that app (checkpoints turn a vehicle back, a sealed
home's order is delivered to the door, screening weighs a pushed person's
origin), so this module, in the places layer below every task force, declares
the question and the zones app answers it::

    from zhanyi.places.risk import answers

    @answers
    def tiers(paths: list[str], at: datetime) -> dict[str, AreaRisk]: ...

Only an approved zone in force at ``at`` counts. With no zones app installed
(or none in force) every area is ``None``: no tier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    """The tiers, strongest first (``STRENGTH`` orders them)."""

    SEALED = "sealed", _("Sealed zone")
    CONTROLLED = "controlled", _("Controlled zone")
    PREVENTION = "prevention", _("Prevention zone")
    HIGH_RISK = "high_risk", _("High-risk area")
    MEDIUM_RISK = "medium_risk", _("Medium-risk area")


# Higher is stronger: an area covered by two zones is in the stronger one.
STRENGTH: dict[str, int] = {
    Tier.SEALED: 5,
    Tier.HIGH_RISK: 4,
    Tier.CONTROLLED: 3,
    Tier.MEDIUM_RISK: 2,
    Tier.PREVENTION: 1,
}


#: The maps' colour of each tier (the zones page, the big screen).
TIER_COLOURS: dict[str, str] = {
    Tier.SEALED: "#c0392b",
    Tier.HIGH_RISK: "#e74c3c",
    Tier.CONTROLLED: "#e67e22",
    Tier.MEDIUM_RISK: "#f1c40f",
    Tier.PREVENTION: "#5dade2",
}


@dataclass(frozen=True)
class AreaRisk:
    """The strongest zone in force over one area path at one moment."""

    tier: str  # a Tier value
    zone_id: int
    zone_name: str
    since: dt.datetime

    @property
    def label(self) -> str:
        return str(Tier(self.tier).label)


Answer = Callable[[list[str], dt.datetime], dict[str, AreaRisk]]

_ANSWER: list[Answer] = []
_discovered = False


def answers(fn: Answer) -> Answer:
    """Register the function that tells the tier of area paths (one only)."""
    if _ANSWER and _ANSWER[0] is not fn:
        raise ValueError("the risk tiers are answered twice")
    _ANSWER[:] = [fn]
    return fn


PlaceAnswer = Callable[[list[int], dt.datetime], dict[int, AreaRisk]]

_PLACE_ANSWER: list[PlaceAnswer] = []


def answers_places(fn: PlaceAnswer) -> PlaceAnswer:
    """Register the function that tells the tier of places by id (one only): a
    zone drawn over a residential compound covers no area path."""
    if _PLACE_ANSWER and _PLACE_ANSWER[0] is not fn:
        raise ValueError("the risk tiers of places are answered twice")
    _PLACE_ANSWER[:] = [fn]
    return fn


def _answer() -> Answer | None:
    global _discovered
    if not _discovered:
        autodiscover_modules("risk_tiers")
        _discovered = True
    return _ANSWER[0] if _ANSWER else None


def risk_of_paths(paths: Iterable[str], at: dt.datetime) -> dict[str, AreaRisk | None]:
    """For each area path, the strongest zone in force over it (a zone over an
    ancestor covers its descendants), or ``None``."""
    wanted = sorted(set(paths))
    fn = _answer()
    found = fn(wanted, at) if fn and wanted else {}
    return {p: found.get(p) for p in wanted}


def risk_of_area(area, at: dt.datetime) -> AreaRisk | None:
    """The strongest zone in force over ``area`` (a ``places.Area``), or ``None``."""
    return risk_of_paths([area.path], at)[area.path]


def risk_of_place(place_id: int | None, at: dt.datetime) -> AreaRisk | None:
    """The strongest zone in force drawn over the place itself (a sealed
    compound), or ``None``; the place's area is asked with ``risk_of_area``."""
    _answer()  # discovers the answering modules
    if place_id is None or not _PLACE_ANSWER:
        return None
    return _PLACE_ANSWER[0]([place_id], at).get(place_id)


def stronger(a: AreaRisk | None, b: AreaRisk | None) -> AreaRisk | None:
    """The stronger of two answers (for a place inside an area, say)."""
    if a is None or b is None:
        return a or b
    return a if STRENGTH[a.tier] >= STRENGTH[b.tier] else b
