"""Where cases live and went (涉疫场所), for every app that draws zones around them.

Tracing owns cases and their trajectories (活动轨迹); the zones app proposes
sealed, controlled and prevention zones around them and counts the days
since a zone's last case, without importing tracing. So this module, in the
places layer below every task force, declares the question and tracing
answers it in its ``case_places.py``::

    from zhanyi.places.exposure_sites import locates

    @locates
    def case_places(since: datetime, until: datetime) -> list[CaseLocation]: ...

With no tracing app installed every answer is empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils.module_loading import autodiscover_modules

from zhanyi.engine.zones.proposal import CaseLocation

__all__ = ["CaseLocation", "case_locations", "locates"]

Locator = Callable[[dt.datetime, dt.datetime], list[CaseLocation]]

_LOCATOR: list[Locator] = []
_discovered = False


def locates(fn: Locator) -> Locator:
    """Register the function that lists cases' homes and trajectory stops (one only)."""
    if _LOCATOR and _LOCATOR[0] is not fn:
        raise ValueError("case locations are answered twice")
    _LOCATOR[:] = [fn]
    return fn


def case_locations(since: dt.datetime, until: dt.datetime) -> list[CaseLocation]:
    """The homes and trajectory stops of the live cases reported in
    ``[since, until]``: one ``CaseLocation`` each (``residence`` or ``trajectory``)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("case_places")
        _discovered = True
    return _LOCATOR[0](since, until) if _LOCATOR else []
