"""A zone drawn as an outline (划定范围) on the map, or pasted as GeoJSON.

An outline is read and checked here (a valid polygon, in longitude and
latitude, inside the proposer's jurisdiction), then turned into the extent
every other question already asks about: the areas it covers wholly (so
``risk_of_paths``, the checkpoints and screening's origins see them) and the
places whose point lies inside it (so the households of a compound inside it
are its residents, and ``risk_of_place`` answers for them). A household has
no coordinates of its own in the person index: it is inside through its
compound's point, or through a grid or village the outline covers wholly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhanyi.places.models import Area, AreaLevel, Place

#: Longitude and latitude of anywhere in China, with a margin.
CHINA = (70.0, 0.0, 140.0, 56.0)
#: An area is covered when this share of it lies inside the outline (a
#: boundary traced along the area's own edge loses slivers to rounding).
COVERED_SHARE = 0.99
#: How far (degrees, about 50 m) an outline may stray past the jurisdiction's
#: boundary, which is simplified for the web.
JURISDICTION_TOLERANCE = 0.0005


def _refuse(message: str) -> ValidationError:
    return ValidationError({"polygon": message})


def _geometry_of(value: Any) -> dict:
    """The GeoJSON geometry in ``value``: a geometry, a Feature, or a
    FeatureCollection of polygons (as geojson.io and QGIS save them)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise _refuse(_("The drawn outline is not GeoJSON: it cannot be read.")) from None
    if not isinstance(value, dict):
        raise _refuse(_("The drawn outline must be a GeoJSON Polygon or MultiPolygon."))
    if value.get("type") == "FeatureCollection":
        features = value.get("features") or []
        geometries = [f.get("geometry") for f in features if isinstance(f, dict)]
        polygons: list = []
        for g in geometries:
            if not isinstance(g, dict) or g.get("type") not in ("Polygon", "MultiPolygon"):
                raise _refuse(_("The drawn outline must be a GeoJSON Polygon or MultiPolygon."))
            coords = g.get("coordinates") or []
            polygons.extend([coords] if g["type"] == "Polygon" else coords)
        if not polygons:
            raise _refuse(_("The drawn outline has no coordinates."))
        if len(polygons) == 1:
            return {"type": "Polygon", "coordinates": polygons[0]}
        return {"type": "MultiPolygon", "coordinates": polygons}
    if value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise _refuse(_("The drawn outline must be a GeoJSON Polygon or MultiPolygon."))
    if not isinstance(value.get("coordinates"), list) or not value["coordinates"]:
        raise _refuse(_("The drawn outline has no coordinates."))
    return {"type": value["type"], "coordinates": value["coordinates"]}


def read_outline(value: Any) -> tuple[Any, dict]:
    """The outline as a Shapely geometry and as the GeoJSON geometry to keep;
    a ``ValidationError`` on ``polygon`` saying what is wrong otherwise."""
    # Shapely is only needed when someone draws a zone.
    from shapely.geometry import mapping, shape
    from shapely.validation import explain_validity

    geometry = _geometry_of(value)
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as error:
        raise _refuse(
            _("The drawn outline cannot be read as a polygon: %(error)s") % {"error": error}
        ) from None
    if geom.is_empty:
        raise _refuse(_("The drawn outline has no area: draw at least three corners."))
    x0, y0, x1, y1 = geom.bounds
    if x0 < CHINA[0] or y0 < CHINA[1] or x1 > CHINA[2] or y1 > CHINA[3]:
        raise _refuse(
            _(
                "The drawn outline's coordinates (%(x).4f, %(y).4f) are not longitude and "
                "latitude in China."
            )
            % {"x": x0, "y": y0}
        )
    if not geom.is_valid:
        raise _refuse(
            _("The drawn outline is not a valid polygon (%(why)s): redraw it without crossing.")
            % {"why": explain_validity(geom)}
        )
    if geom.area == 0:
        raise _refuse(_("The drawn outline has no area: draw at least three corners."))
    return geom, json.loads(json.dumps(mapping(geom)))


def require_inside(geom: Any, root: str) -> None:
    """Refuse an outline reaching outside the jurisdiction at ``root`` (''
    for the whole tree), when that area has a boundary to weigh it against."""
    if root == "":
        return
    from shapely.geometry import shape

    area = Area.objects.filter(path=root).only("name", "boundary").first()
    if area is None or not area.boundary:
        return  # no boundary: the areas and places inside are checked one by one
    try:
        boundary = shape(area.boundary).buffer(JURISDICTION_TOLERANCE)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        return
    if not boundary.contains(geom):
        raise _refuse(
            _("The drawn outline reaches outside your jurisdiction (%(area)s).")
            % {"area": area.name}
        )


@dataclass(frozen=True)
class OutlineExtent:
    """What an outline holds: the areas it covers wholly (the highest of
    them) and the places inside it that are not in those areas."""

    areas: list[Area]
    places: list[Place]


def extent_of(geom: Any) -> OutlineExtent:
    import numpy as np
    import shapely
    from shapely.geometry import shape

    x0, y0, x1, y1 = geom.bounds
    candidates = (
        Area.objects.exclude(boundary=None)
        .exclude(level=AreaLevel.CITY)
        .filter(lon__gte=x0, lon__lte=x1, lat__gte=y0, lat__lte=y1)
        .only("id", "code", "name", "path", "level", "boundary")
    )
    covered: list[Area] = []
    for area in candidates:
        try:
            outline = shape(area.boundary)
        except (ValueError, TypeError, AttributeError, IndexError, KeyError):
            continue
        if outline.is_empty or outline.area == 0:
            continue
        if not outline.is_valid:
            outline = shapely.make_valid(outline)
        if geom.intersection(outline).area >= COVERED_SHARE * outline.area:
            covered.append(area)
    paths = [a.path for a in covered]
    highest = [a for a in covered if not any(a.path != p and a.path.startswith(p) for p in paths)]
    highest.sort(key=lambda a: a.path)
    top = [a.path for a in highest]
    nearby = list(
        Place.objects.filter(lon__gte=x0, lon__lte=x1, lat__gte=y0, lat__lte=y1)
        .select_related("area")
        .order_by("pk")
    )
    inside: list[Place] = []
    if nearby:
        lons = np.array([p.lon for p in nearby], dtype=np.float64)
        lats = np.array([p.lat for p in nearby], dtype=np.float64)
        hits = shapely.contains_xy(geom, lons, lats)
        inside = [
            p
            for p, hit in zip(nearby, hits, strict=True)
            if hit and not any(p.area.path.startswith(t) for t in top)
        ]
    return OutlineExtent(highest, inside)
