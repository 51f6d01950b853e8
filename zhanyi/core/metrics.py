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
import functools
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Aggregate, Case, Count, IntegerField, QuerySet, Value, When
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
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
    #: the same figure for many areas at once (``for_areas``), when its app gives it
    many: Callable[[Sequence[Area | None]], list[int | float]] | None = None

    def values_in(self, areas: Sequence[Area | None]) -> list[int | float]:
        """The figure for each of ``areas``: one computation for all of them
        when the figure has a form for many areas, else one per area."""
        if self.many is not None:
            return list(self.many(areas))
        return [self.fn(area) for area in areas]


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


def for_areas(name: str):
    """Register ``fn(areas) -> [value per area]`` as the form of the figure
    ``name`` (registered already) for many areas at once, which the report
    uses (its figures for the city and every county): one grouped query for
    all the areas where ``fn(area)`` makes one per area. It must give exactly
    what ``fn`` gives for each area; the figures' tests compare them on the
    demo's city (``zhanyi/command/tests/test_demo_replay.py``)."""

    def decorate(many: Callable[[Sequence[Area | None]], list[int | float]]):
        _REGISTRY[name] = replace(get(name), many=many)
        return many

    return decorate


def tally(
    name: str,
    label: str | Promise,
    unit: str | Promise = "",
    order: int = 100,
    link: str = "",
    *,
    area: str,
    total: Callable[[], Aggregate] | None = None,
):
    """Register a figure that counts the rows a function gives (a queryset
    over every area), or totals them (``total``: ``lambda: Sum("count")``),
    within an area through ``area`` (their foreign key to an area): the
    figure for one area filters the rows by the area's path, and its form for
    many areas (``for_areas``) totals them by area in one grouped query
    (``tally_in``), both from the one definition. The decorated name stays
    the figure for one area."""

    def decorate(rows: Callable[[], QuerySet]) -> Callable[[Area | None], int | float]:
        def one(where: Area | None) -> int | float:
            within = rows().filter(**area_filter(where, f"{area}__path"))
            if total is None:
                return within.count()
            return within.aggregate(total=total())["total"] or 0

        def many(areas: Sequence[Area | None]) -> list[int | float]:
            return tally_in(rows(), area, areas, total() if total is not None else None)

        figure(name, label, unit, order, link)(one)
        for_areas(name)(many)
        return one

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


def values_of(figures: list[Figure], entries: dict[str, figure_cache.Entry]) -> FigureValues:
    """The ``figures``' values from their entries (``figure_cache.values``),
    for a page that reads them from the cache together with something else."""
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
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _link_url(link, get_script_prefix(), urlconf)


@functools.lru_cache(maxsize=1024)
def _link_url(link: str, _prefix: str, _urlconf: object) -> str:
    """``link_url`` once per link, prefix and URL conf: a screen's refresh and
    every dashboard build their figures' links, and ``reverse`` was a third of
    a screen refresh's CPU."""
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
    return values_of(figures, entries)


def compute_in(
    areas: Sequence[Area | None], names: Iterable[str] | None = None
) -> list[FigureValues]:
    """``compute`` for each of ``areas`` (one ``FigureValues`` per area, in
    order): each figure computed once for all of them when it has a form for
    many areas (``for_areas``), else area by area."""
    figures = _figures(names)
    per_area: list[dict[str, figure_cache.Entry]] = [{} for _ in areas]
    with figure_cache.computing_together():
        for f in figures:
            started = time.time()
            for entries, value in zip(per_area, f.values_in(areas), strict=True):
                entries[f.name] = (value, started)
    return [values_of(figures, entries) for entries in per_area]


def shown(
    names: Iterable[str] | None = None, area: Area | None = None, *, fresh: bool = False
) -> FigureValues:
    """Values of the named figures for one area as the dashboards show them:
    from the shared cache while they are recent (``FIGURE_CACHE_SECONDS``),
    computed once for all readers when they are not; ``fresh``: computed after
    this call began. The caller has chosen ``area`` within the reader's reach."""
    figures = _figures(names)
    return values_of(figures, figure_cache.values(figures, area, fresh=fresh))


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


def _area_paths(rows: QuerySet, area_field: str) -> dict[int, str]:
    """Every area's path by its id (the areas ``area_field`` of ``rows`` points
    at), read once per pass of figures."""
    model = rows.model
    for part in area_field.split("__"):
        model = model._meta.get_field(part).related_model
    return figure_cache.shared(
        ("core.area_paths", model._meta.label),
        lambda: dict(model._default_manager.values_list("pk", "path")),
    )


def tally_in(
    rows: QuerySet, area_field: str, areas: Sequence[Area | None], total: Aggregate | None = None
) -> list[int | float]:
    """``total`` (a count of the rows by default, or a sum) of the ``rows``
    under each of ``areas``, through ``area_field`` (a foreign key to an area):
    what ``rows.filter(**area_filter(area, area_field + "__path"))`` totals
    for each area, in one query for all of them. The rows are totalled by
    the area they name (``GROUP BY`` the key), and each area adds up the
    areas below it; ``None`` (everywhere) adds up every row, those naming no
    area too. Only for totals that add up (counts, sums), never a count of
    distinct things, which two areas below one may share."""
    totals = dict(
        rows.order_by()
        .values_list(area_field)
        .annotate(total=total if total is not None else Count("*"))
        .values_list(area_field, "total")
    )
    paths = _area_paths(rows, area_field)
    named = [(paths[pk], value or 0) for pk, value in totals.items() if pk is not None]
    everything = sum(value or 0 for value in totals.values())
    return [
        everything
        if area is None
        else sum(value for path, value in named if path.startswith(area.path))
        for area in areas
    ]


def aggregate_in(
    rows: QuerySet, area_field: str, areas: Sequence[Area | None], **aggregates: Aggregate
) -> list[dict]:
    """``rows.filter(**area_filter(area, area_field + "__path")).aggregate(**aggregates)``
    for each of ``areas``, in one query for each set of areas that do not
    overlap (the report's counties: one query; the city: another): the rows
    are grouped by which of those areas their ``area_field`` lies in. Any
    aggregate (a count of distinct persons, a maximum), where ``tally_in``
    only adds up."""
    found: list[dict | None] = [None] * len(areas)
    for layer in _apart(areas):
        if layer == [None]:
            row = rows.aggregate(**aggregates)
            for i, area in enumerate(areas):
                if area is None:
                    found[i] = row
            continue
        which = Case(
            *[
                When(**{f"{area_field}__path__startswith": a.path}, then=Value(n))
                for n, a in enumerate(layer)
            ],
            default=Value(-1),
            output_field=IntegerField(),
        )
        grouped = {
            row.pop("_which"): row
            for row in rows.order_by()
            .annotate(_which=which)
            .values("_which")
            .annotate(**aggregates)
        }
        empty = rows.none().aggregate(**aggregates)
        for n, a in enumerate(layer):
            for i, area in enumerate(areas):
                if area is not None and area.pk == a.pk:
                    found[i] = grouped.get(n, empty)
    return [row if row is not None else {} for row in found]


def _apart(areas: Sequence[Area | None]) -> list[list[Area | None]]:
    """``areas`` (each once) in sets of areas none of which lies in another."""
    layers: list[list[Area | None]] = []
    seen: set = set()
    for area in areas:
        key = None if area is None else area.pk
        if key in seen:
            continue
        seen.add(key)
        if area is None:
            layers.append([None])
            continue
        for layer in layers:
            if layer != [None] and not any(
                a.path.startswith(area.path) or area.path.startswith(a.path) for a in layer
            ):
                layer.append(area)
                break
        else:
            layers.append([area])
    return layers
