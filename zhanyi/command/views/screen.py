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


def _key_figures(area, fresh: bool) -> list[dict]:
    names = [n for n in KEY_FIGURES if n in {f.name for f in metrics.registered()}]
    shown = metrics.shown(names, area, fresh=fresh)
    last = (
        ReportFigure.objects.filter(area=area, name__in=names)
        .order_by("name", "-report__scheduled_for")
        .values("name", "value", "report__scheduled_for")
    )
    latest: dict[str, dict] = {}
    for row in last:
        latest.setdefault(row["name"], row)
    for figure in shown:
        row = latest.get(figure["name"])
        figure["since_report"] = None if row is None else figure["value"] - row["value"]
    return shown


def screen_data(area, fresh: bool = False) -> tuple[list[dict], Any]:
    """What a screen of ``area`` shows: the key figures with their change
    since the last report, and the epidemic curve (``zhanyi bench report``
    reads the same, 50 screens at once)."""
    figures = _key_figures(area, fresh)
    curve = figure_cache.values([CURVE], area, fresh=fresh)[CURVE.name][0]
    return figures, curve


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
