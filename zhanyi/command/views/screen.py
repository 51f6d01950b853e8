"""The big screen (大屏): a full-screen, dark page for the command room that
refreshes itself, served from the figure cache (``zhanyi.core.figure_cache``):
the key figures, the epidemic curve and Rt, and the map's layers (zones,
cases as unnamed dots, quarantine sites, checkpoints, testing sites, fetched
from ``/api/v1/command/map/…?masked=1``) are computed once for every screen of
the same area within ``FIGURE_CACHE_SECONDS``, so 50 screens cost what one
does."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhanyi.command import curve as epicurve
from zhanyi.command.models import ReportFigure
from zhanyi.core import figure_cache, metrics
from zhanyi.places import map_layers
from zhanyi.places import queries as place_queries
from zhanyi.places.risk import TIER_COLOURS

#: The figures the screen shows large, in this order, when registered.
KEY_FIGURES = [
    "tracing.cases",
    "tracing.close_contacts",
    "tracing.secondary_contacts",
    "people.codes_red",
    "people.codes_yellow",
    "testing.samples_today",
    "testing.tubes_pending",
    "screening.overdue",
]


@dataclass(frozen=True)
class _Computed:
    """Something a screen shows, computed per area through the figure cache."""

    name: str
    fn: Any


CURVE = _Computed("command.screen.curve", lambda area: epicurve.epidemic_curve(area).as_dict())


def _key_names() -> list[str]:
    registered = {f.name for f in metrics.registered()}
    return [n for n in KEY_FIGURES if n in registered]


def _last_reported(area) -> dict[str, float]:
    """The key figures' values in the latest report that holds each, for ``area``."""
    rows = (
        ReportFigure.objects.filter(area=area, name__in=_key_names())
        .order_by("name", "-report__scheduled_for")
        .values_list("name", "value")
    )
    latest: dict[str, float] = {}
    for name, value in rows:
        latest.setdefault(name, value)
    return latest


LAST_REPORTED = _Computed("command.screen.last_reported", _last_reported)


def screen_data(area, fresh: bool = False) -> tuple[list[dict], Any]:
    """What a screen of ``area`` shows: the key figures with their change
    since the last report, and the epidemic curve (``zhanyi bench report``
    reads the same, 50 screens at once).

    All of it comes from the figure cache in one read (one ``get_many``):
    the key figures' entries, which the dashboards share, the last report's
    values of them, and the curve. Each screen's refresh is then one round
    trip to the cache and no query; before, the last report's values were
    read from the database by every screen at every refresh, beside two reads
    of the cache (517 ms at the 95th percentile for 50 screens of the city of
    200,000 at a load of 12)."""
    figures = [metrics.get(name) for name in _key_names()]
    entries = figure_cache.values([*figures, LAST_REPORTED, CURVE], area, fresh=fresh)
    shown = metrics.values_of(figures, entries)
    last = entries[LAST_REPORTED.name][0]
    for figure in shown:
        before = last.get(figure["name"])
        figure["since_report"] = None if before is None else figure["value"] - before
    return shown, entries[CURVE.name][0]


def big_screen(request: HttpRequest) -> HttpResponse:
    area = place_queries.root_area_for(request.user)
    figures, curve = screen_data(area, metrics.fresh_requested(request))
    context = {"area": area, "figures": figures, "curve": curve}
    if request.htmx:
        return render(request, "command/_screen.html", context)
    # The map's layers are fetched by the page, masked, from the figure cache
    # (``command/map.py``): a wall screen names no person.
    context |= {
        "map_layers": map_layers.for_page(masked=True),
        "map_words": json.dumps(map_layers.words()),
        "tier_colours": json.dumps(TIER_COLOURS),
    }
    return render(request, "command/screen.html", context)
