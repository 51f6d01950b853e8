"""Reads of the area tree, scoped to the user's jurisdiction."""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhanyi.core import jurisdiction

from . import counts
from .models import Area, AreaLevel, DataLoad
from .risk import risk_of_paths


def visible_areas(user) -> QuerySet[Area]:
    """Every area in the user's jurisdiction (none without one)."""
    path = jurisdiction.root_path(user)
    if path is None:
        return Area.objects.none()
    return Area.objects.filter(path__startswith=path)


def root_area_for(user) -> Area:
    """The top of what the user may see: their jurisdiction, or the city."""
    if user.is_superuser and user.jurisdiction_id is None:
        area = Area.objects.filter(level=AreaLevel.CITY).order_by("path").first()
        if area is None:
            raise Http404("no areas have been loaded")
        return area
    if user.jurisdiction_id is None:
        raise PermissionDenied("no jurisdiction")
    return user.jurisdiction


def get_area_for_user(user, code: str) -> Area:
    """The area with ``code``, if the user may see it (404 / 403 otherwise)."""
    try:
        area = Area.objects.select_related("parent").get(code=code)
    except Area.DoesNotExist:
        raise Http404("no such area") from None
    jurisdiction.require_area(user, area)
    return area


def breadcrumbs(user, area: Area) -> list[Area]:
    """Ancestors the user may see, top first, ending with ``area``."""
    return [a for a in area.ancestors() if jurisdiction.can_see_area(user, a)]


def children_with_counts(area: Area) -> list[dict]:
    """The area's children with their population, villages and what the apps
    above count per village (``zhanyi.places.counts``: the persons).

    One grouped query per count, not one per child: a county has dozens of
    townships and the city has nearly 2,000 villages below it.
    """
    children = list(area.children.order_by("code"))
    prefix_of = {c.path: c for c in children}
    depth = area.depth + 1

    def child_of(path: str) -> Area | None:
        parts = path.strip("/").split("/")
        if len(parts) <= depth:
            return None
        return prefix_of.get("/" + "/".join(parts[: depth + 1]) + "/")

    tallies: dict[str, Counter[int]] = {}
    for name, per_village in counts.registered().items():
        tally = tallies[name] = Counter()
        for path, n in per_village(area.path):
            child = child_of(path)
            if child is not None:
                tally[child.id] += n
    villages: Counter[int] = Counter()
    for path in Area.objects.filter(
        level=AreaLevel.VILLAGE, path__startswith=area.path
    ).values_list("path", flat=True):
        child = child_of(path)
        if child is not None:
            villages[child.id] += 1
    return [
        {
            "area": c,
            "population": c.population,
            **{name: tally[c.id] for name, tally in tallies.items()},
            "villages": villages[c.id] if c.level != AreaLevel.VILLAGE else None,
        }
        for c in children
    ]


def feature_collection(areas) -> dict:
    """GeoJSON of areas, for ECharts' map (properties carry name and code, and
    the risk tier in force over each area now, ``zhanyi.places.risk``)."""
    areas = list(areas)
    tiers = risk_of_paths([a.path for a in areas], timezone.now())
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": a.code,
                "properties": {
                    "name": a.name,
                    "code": a.code,
                    "level": a.level,
                    "population": a.population,
                    "risk": tiers[a.path].tier if tiers[a.path] else "",
                    "risk_label": tiers[a.path].label if tiers[a.path] else "",
                },
                "geometry": a.boundary,
            }
            for a in areas
            if a.boundary
        ],
    }


def visible_loads(user) -> QuerySet[DataLoad]:
    """Loads of reference data the user may see: those made within their
    jurisdiction; a load for the whole city (the command line's) to a user of
    the whole city."""
    path = jurisdiction.root_path(user)
    if path is None:
        return DataLoad.objects.none()
    loads = DataLoad.objects.select_related("area")
    if path == "":
        return loads
    whole_city = path.count("/") == 2  # "/350600/": a city is the tree's top
    scoped = Q(area__path__startswith=path)
    return loads.filter(scoped | Q(area=None)) if whole_city else loads.filter(scoped)


def get_load_for_user(user, load_id: int) -> DataLoad:
    try:
        return visible_loads(user).get(pk=load_id)
    except DataLoad.DoesNotExist:
        if DataLoad.objects.filter(pk=load_id).exists():
            raise PermissionDenied("outside your jurisdiction") from None
        raise Http404("no such load") from None


def load_area_for(user) -> Area | None:
    """The area a user's loads are confined to: their jurisdiction, or none
    for a user of the whole tree (a superuser without one)."""
    if user.is_superuser and user.jurisdiction_id is None:
        return None
    if user.jurisdiction_id is None:
        raise PermissionDenied("no jurisdiction")
    return user.jurisdiction
