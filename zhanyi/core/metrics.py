"""One source for every figure (数出一门).

Each app declares its figures in its own ``metrics.py`` with ``@figure``; the
dashboard, the twice-daily report and the API all read them through
``compute``, so a number shown to a leader is defined exactly once. A figure is
a function of the area it is computed for (an ``Area`` or None for everything
the caller may see) and returns a number.

Two ways to read them:

- ``compute``: computed now, always. The twice-daily report and anything that
  records figures (a snapshot) read this, never a cached value.
- ``shown`` (and ``figures_for`` a user): what the dashboards and the figures
  API show, through a short-lived cache shared by every reader and server
  process (``zhanyi.core.figure_cache``); ``fresh=True`` forces a new
  computation. Each value says when its computation began (``computed_at``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import BadRequest, PermissionDenied
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

from . import figure_cache

if TYPE_CHECKING:
    from zhanyi.places.models import Area


@dataclass(frozen=True)
class Figure:
    name: str
    label: str | Promise
    unit: str | Promise
    fn: Callable[[Area | None], int | float]
    order: int
    #: the list behind the figure: a URL name, with a query string if any
    #: (``"tracing:home?overdue=1"``); the dashboards make the figure a link to it
    link: str = ""


_REGISTRY: dict[str, Figure] = {}


def figure(
    name: str, label: str | Promise, unit: str | Promise = "", order: int = 100, link: str = ""
):
    """Register ``fn(area) -> number`` as the one definition of a figure;
    ``link``: the page listing what it counts."""

    def decorate(fn: Callable[[Area | None], int | float]):
        if name in _REGISTRY and _REGISTRY[name].fn is not fn:
            raise ValueError(f"figure {name!r} is defined twice")
        _REGISTRY[name] = Figure(name, label, unit, fn, order, link)
        return fn

    return decorate


def discover() -> None:
    autodiscover_modules("metrics")


def registered() -> list[Figure]:
    return sorted(_REGISTRY.values(), key=lambda f: (f.order, f.name))


def get(name: str) -> Figure:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no figure named {name!r}") from None


class FigureValues(list):
    """Figures' values (dicts of ``name``, ``label``, ``unit``, ``value``,
    ``computed_at``), with ``as_of``: when the oldest of them was computed."""

    @property
    def as_of(self) -> dt.datetime | None:
        return min((f["computed_at"] for f in self), default=None)


def _figures(names: Iterable[str] | None) -> list[Figure]:
    return registered() if names is None else [get(n) for n in names]


def _values(figures: list[Figure], entries: dict[str, figure_cache.Entry]) -> FigureValues:
    return FigureValues(
        {
            "name": f.name,
            "label": str(f.label),
            "unit": str(f.unit),
            "value": entries[f.name][0],
            "link": link_url(f.link),
            "computed_at": dt.datetime.fromtimestamp(entries[f.name][1], tz=dt.UTC),
        }
        for f in figures
    )


def link_url(link: str) -> str:
    """The path of a figure's ``link`` (empty when its app's pages are not installed)."""
    if not link:
        return ""
    name, _sep, query = link.partition("?")
    try:
        return reverse(name) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return ""


def compute(names: Iterable[str] | None = None, area: Area | None = None) -> FigureValues:
    """Values of the named figures (all when None) for one area, computed now."""
    figures = _figures(names)
    with figure_cache.computing_together():
        entries = {f.name: figure_cache.compute_entry(f, area) for f in figures}
    return _values(figures, entries)


def shown(
    names: Iterable[str] | None = None, area: Area | None = None, *, fresh: bool = False
) -> FigureValues:
    """Values of the named figures for one area as the dashboards show them:
    from the shared cache while they are recent (``FIGURE_CACHE_SECONDS``),
    computed once for all readers when they are not; ``fresh``: computed after
    this call began. The caller has chosen ``area`` within the reader's reach."""
    figures = _figures(names)
    return _values(figures, figure_cache.values(figures, area, fresh=fresh))


def area_for(user) -> Area | None:
    """The area a user's figures are computed for: their jurisdiction, or
    everything (None) for a superuser without one; nobody else has figures."""
    if user.is_superuser and user.jurisdiction_id is None:
        return None
    if user.jurisdiction_id is None:
        raise PermissionDenied("no jurisdiction")
    return user.jurisdiction


def figures_for(user, names: Iterable[str] | None = None, *, fresh: bool = False) -> FigureValues:
    """``shown`` for the user's own area (PermissionDenied without one)."""
    return shown(names, area_for(user), fresh=fresh)


FRESH_WORDS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def parse_fresh(value: str | None) -> bool:
    """The ``fresh`` parameter of a dashboard or the API: 1/true/yes, 0/false/no or absent."""
    if value is None or value == "":
        return False
    try:
        return FRESH_WORDS[value.strip().lower()]
    except KeyError:
        raise ValueError(f"fresh: expected 1 or 0, not {value!r}") from None


def fresh_requested(request) -> bool:
    """Whether a dashboard page was asked for figures computed now (``?fresh=1``);
    a value other than 1/0 is a bad request."""
    try:
        return parse_fresh(request.GET.get("fresh"))
    except ValueError as error:
        raise BadRequest(str(error)) from None


def area_filter(area: Area | None, path_field: str) -> dict:
    """Keyword filter restricting rows to ``area`` through ``path_field``."""
    if area is None:
        return {}
    return {f"{path_field}__startswith": area.path}
