"""The figures' forms for many areas (``metrics.for_areas``) against each
area's own figure: what the twice-daily report stores must be what a
dashboard of that area shows. Shared by the quick test on the test world and
the check on the demo's replayed city."""

from __future__ import annotations

from zhanyi.command.actions.reports import report_areas
from zhanyi.core import figure_cache, metrics
from zhanyi.places.models import Area, AreaLevel


def area_sets() -> list[list]:
    """The report's areas (the city, then each county), with areas nested
    below them, and everything (None) first."""
    below = list(Area.objects.filter(level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE])[:6])
    report = report_areas()
    return [report, [None, *report, *below], [*below, *report[1:]]]


def differences() -> list[tuple]:
    """(figure, areas, for many areas, each area's own) where they differ."""
    found = []
    for areas in area_sets():
        for figure in metrics.registered():
            if figure.many is None:
                continue
            with figure_cache.computing_together():
                many = list(figure.many(areas))
            with figure_cache.computing_together():
                each = [figure.fn(area) for area in areas]
            if many != each:
                found.append((figure.name, [getattr(a, "code", None) for a in areas], many, each))
    return found
