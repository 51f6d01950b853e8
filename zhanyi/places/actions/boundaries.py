"""Area boundaries (边界) from GeoJSON or a Shapefile, checked and simplified for the web.

Each feature names its area by a property holding the division code (区划代码,
``code``, ``adcode``, ``XZQDM`` …; an old code resolves to the area now) or, when
no code is given, by a name unique in the tree. Its geometry must be a polygon
or a multipolygon in longitude and latitude (a Shapefile in a projected system
is refused as a whole, naming it); an invalid ring (a self-intersection, a
bow-tie) is repaired with Shapely's ``make_valid`` when that leaves a polygon,
with a warning, and refused when it leaves nothing. A boundary must lie inside
its parent's within ``tolerance_m`` metres: more than ``MAX_OUTSIDE`` (2%) of it
outside is refused, more than ``WARN_OUTSIDE`` (0.2%) is a warning. Parents are checked against the
boundary stored, or the one in the same file (parents are loaded first).

What is stored is simplified for the map (Douglas-Peucker keeping topology, a
tolerance per level: 100 m for a county, 10 m for a village) with coordinates
rounded to 1 m, so loading the same file again changes nothing.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhanyi.engine.coords import geometry_to_wgs84
from zhanyi.places.codes import resolve_many
from zhanyi.places.models import LEVEL_DEPTH, Area, AreaLevel, CoordinateSystem, DataLoad, LoadKind

from .common import (
    LoadFileError,
    LoadResult,
    Progress,
    RefusedRows,
    check_coordinate_system,
    file_format,
    key,
    problem,
    record_load,
)

FORMATS = ("geojson", "json", "zip", "shp")
CODE_PROPERTIES = (
    "统计用区划代码",
    "区划代码",
    "行政区划代码",
    "代码",
    "code",
    "adcode",
    "xzqdm",
    "qhdm",
    "pac",
    "gb",
)
NAME_PROPERTIES = ("名称", "区划名称", "name", "xzqmc", "qhmc")
#: Douglas-Peucker tolerance per level, in degrees (0.0001° is about 10 m).
SIMPLIFY: dict[str, float] = {
    AreaLevel.CITY: 0.002,
    AreaLevel.COUNTY: 0.001,
    AreaLevel.TOWNSHIP: 0.0005,
    AreaLevel.VILLAGE: 0.0001,
    AreaLevel.GRID: 0.0001,
}
#: Coordinates are kept to 1e-5 degrees (about 1 m).
GRID_SIZE = 1e-5
#: The share of a boundary that may lie outside its parent's (beyond the
#: tolerance), and the share worth a warning.
MAX_OUTSIDE = 0.02
WARN_OUTSIDE = 0.002
METRES_PER_DEGREE = 111_000
#: Longitude and latitude of anywhere in China, with a margin.
CHINA = (70.0, 0.0, 140.0, 56.0)


def _features_geojson(fh: IO[bytes]) -> Iterator[dict[str, Any]]:
    fh.seek(0)
    try:
        data = json.loads(fh.read().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LoadFileError(_("The file is not GeoJSON: %(error)s") % {"error": error}) from None
    if not isinstance(data, dict):
        raise LoadFileError(_("The file is not GeoJSON: it holds no object."))
    if data.get("type") == "FeatureCollection":
        yield from data.get("features") or []
    elif data.get("type") == "Feature":
        yield data
    else:
        raise LoadFileError(
            _(
                "The file is not a GeoJSON FeatureCollection (it is a %(type)s): the areas' "
                "codes travel in each feature's properties."
            )
            % {"type": data.get("type") or "?"}
        )


def _shapefile_parts(fh: IO[bytes], fmt: str, path: Path | None) -> dict[str, IO[bytes]]:
    """The .shp, .shx, .dbf (and .cpg, .prj) of a zipped or on-disk Shapefile."""
    parts: dict[str, IO[bytes]] = {}
    if fmt == "zip":
        fh.seek(0)
        try:
            archive = zipfile.ZipFile(fh)
        except zipfile.BadZipFile as error:
            raise LoadFileError(_("The file is not a zip: %(error)s") % {"error": error}) from None
        for info in archive.infolist():
            suffix = Path(info.filename).suffix.lower().lstrip(".")
            if suffix in ("shp", "shx", "dbf", "cpg", "prj") and suffix not in parts:
                if info.file_size > 512 * 1024 * 1024:
                    raise LoadFileError(_("The Shapefile in the zip is too large."))
                parts[suffix] = io.BytesIO(archive.read(info))
    else:
        parts["shp"] = fh
        if path is not None:
            for suffix in ("shx", "dbf", "cpg", "prj"):
                for sibling in (
                    path.with_suffix(f".{suffix}"),
                    path.with_suffix(f".{suffix.upper()}"),
                ):
                    if sibling.exists():
                        parts[suffix] = io.BytesIO(sibling.read_bytes())
                        break
    missing = [s for s in ("shp", "dbf") if s not in parts]
    if missing:
        raise LoadFileError(
            _(
                "The Shapefile lacks its %(parts)s: send the .shp, .shx, .dbf (and .prj, .cpg) "
                "together in one zip."
            )
            % {"parts": ", ".join(f".{m}" for m in missing)}
        )
    return parts


def _features_shapefile(fh: IO[bytes], fmt: str, path: Path | None) -> Iterator[dict[str, Any]]:
    import shapefile  # pyshp: only when a Shapefile is loaded

    parts = _shapefile_parts(fh, fmt, path)
    if "prj" in parts:
        prj = parts["prj"].read().decode("latin-1")
        if prj.lstrip().upper().startswith("PROJCS"):
            name = prj.split('"')[1] if '"' in prj else prj[:60]
            raise LoadFileError(
                _(
                    "The Shapefile is in projected coordinates (%(name)s): save it in "
                    "longitude and latitude (CGCS2000 or WGS 84) and load it again."
                )
                % {"name": name}
            )
    encodings = ["utf-8", "gbk", "gb18030"]
    if "cpg" in parts:
        declared = parts["cpg"].read().decode("ascii", "replace").strip().lower()
        encodings.insert(0, {"936": "gbk", "cp936": "gbk"}.get(declared, declared))
    for encoding in encodings:
        for part in parts.values():
            part.seek(0)
        try:
            reader = shapefile.Reader(
                shp=parts["shp"],
                shx=parts.get("shx"),
                dbf=parts["dbf"],
                encoding=encoding,
                encodingErrors="strict",
            )
            features = [
                {
                    "type": "Feature",
                    "properties": record.as_dict(),
                    "geometry": shape.__geo_interface__ if shape.shapeType else None,
                }
                for shape, record in zip(reader.iterShapes(), reader.iterRecords(), strict=True)
            ]
        except (UnicodeDecodeError, LookupError):
            continue
        except shapefile.ShapefileException as error:
            raise LoadFileError(
                _("The Shapefile cannot be read: %(error)s") % {"error": error}
            ) from None
        yield from features
        return
    raise LoadFileError(_("The Shapefile's attributes are not in UTF-8, GBK or GB18030."))


def _property(properties: dict[str, Any], names: tuple[str, ...]) -> str:
    keyed = {key(k): v for k, v in properties.items()}
    for name in names:
        value = keyed.get(key(name))
        if value not in (None, ""):
            text = str(value).strip()
            return text[:-2] if text.endswith(".0") else text
    return ""


def _polygon(geometry: Any) -> tuple[Any, str, str]:
    """The Shapely geometry, or why not (error), and a warning."""
    import shapely
    from shapely.geometry import shape
    from shapely.validation import explain_validity

    if not isinstance(geometry, dict) or not geometry.get("type"):
        return None, _("The feature has no geometry."), ""
    kind = geometry["type"]
    if kind not in ("Polygon", "MultiPolygon"):
        return None, _("The geometry is a %(type)s, not a polygon.") % {"type": kind}, ""
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as error:
        return None, _("The polygon cannot be read: %(error)s") % {"error": error}, ""
    if geom.is_empty:
        return None, _("The polygon is empty."), ""
    x0, y0, x1, y1 = geom.bounds
    if x0 < CHINA[0] or y0 < CHINA[1] or x1 > CHINA[2] or y1 > CHINA[3]:
        return (
            None,
            _(
                "The coordinates (%(x).1f, %(y).1f) are not longitude and latitude in China: "
                "save the file in CGCS2000 or WGS 84 degrees."
            )
            % {"x": x0, "y": y0},
            "",
        )
    warning = ""
    if not geom.is_valid:
        why = explain_validity(geom)
        repaired = shapely.make_valid(geom)
        polygons = [
            g
            for g in getattr(repaired, "geoms", [repaired])
            if g.geom_type in ("Polygon", "MultiPolygon")
        ]
        geom = shapely.union_all(polygons) if polygons else None
        if geom is None or geom.is_empty or geom.area == 0:
            return (
                None,
                _("The polygon is not valid (%(why)s) and cannot be repaired.") % {"why": why},
                "",
            )
        warning = _("The polygon was not valid (%(why)s): repaired.") % {"why": why}
    if geom.area == 0:
        return None, _("The polygon has no area."), ""
    return geom, "", warning


def _for_web(geom: Any, level: str) -> dict[str, Any]:
    import shapely
    from shapely.geometry import mapping

    simple = geom.simplify(SIMPLIFY.get(level, 0.0001), preserve_topology=True)
    simple = shapely.set_precision(simple, GRID_SIZE)
    if simple.is_empty:
        simple = shapely.set_precision(geom, GRID_SIZE)
    return json.loads(json.dumps(mapping(simple)))


def do_load_boundaries(
    fh: IO[bytes],
    filename: str,
    *,
    acting_user,
    within: Area | None = None,
    tolerance_m: float = 200.0,
    path: Path | None = None,
    progress: Progress | None = None,
    request=None,
    load: DataLoad | None = None,
    coordinate_system: str = CoordinateSystem.WGS84,
) -> LoadResult:
    """Load the boundaries of a GeoJSON (.geojson, .json) or Shapefile (.zip,
    or .shp with ``path`` to find its siblings); see the module's docstring.
    Boundaries in GCJ-02 or BD-09 (``coordinate_system``) move to WGS-84 first."""
    check_coordinate_system(coordinate_system)
    import shapely
    from shapely.geometry import shape

    fmt = file_format(filename, FORMATS)
    if fmt in ("geojson", "json"):
        features = list(_features_geojson(fh))
    else:
        features = list(_features_shapefile(fh, fmt, path))
    header = sorted({k for f in features[:1000] for k in (f.get("properties") or {})})
    refused = RefusedRows([*header, "geometry"])
    problems: list[dict] = []
    counts = {"read": 0, "created": 0, "updated": 0, "unchanged": 0, "refused": 0, "warned": 0}

    def refuse(number: int, feature: dict, column: str, message: str, value: Any = "") -> None:
        issue = problem(number, column, message, value)
        problems.append(issue)
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        cells = [props.get(h) for h in header] + [
            geometry.get("type", "") if isinstance(geometry, dict) else ""
        ]
        refused.add(number, cells, [issue])
        counts["refused"] += 1

    codes = {}
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            codes[number] = ("", "")
            continue
        props = feature.get("properties")
        props = props if isinstance(props, dict) else {}
        code = _property(props, CODE_PROPERTIES) or str(feature.get("id") or "")
        codes[number] = (code, _property(props, NAME_PROPERTIES))
    areas = resolve_many({c for c, _n in codes.values() if c})
    by_name: dict[str, list[Area]] = {}
    names = {n for c, n in codes.values() if n and c not in areas}
    for named in Area.objects.filter(name__in=names):
        by_name.setdefault(named.name, []).append(named)
    matched: list[tuple[int, dict, Area, Any, str]] = []
    for number, feature in enumerate(features, start=1):
        counts["read"] += 1
        if not isinstance(feature, dict):
            refuse(number, {}, "geometry", _("Not a GeoJSON feature."))
            continue
        code, name = codes[number]
        area: Area | None = areas.get(code)
        if area is None and not code and name:
            found = by_name.get(name, [])
            if len(found) == 1:
                area = found[0]
            elif found:
                refuse(
                    number,
                    feature,
                    "code",
                    _("Two areas are named %(name)s: give the code.") % {"name": name},
                    name,
                )
                continue
        if area is None:
            refuse(
                number,
                feature,
                "code",
                _("No area with the code %(code)s: load the division codes first.")
                % {"code": code or name or "?"},
                code or name,
            )
            continue
        if within is not None and not area.path.startswith(within.path):
            refuse(number, feature, "code", _("Outside your jurisdiction."), code)
            continue
        geom, error, warning = _polygon(feature.get("geometry"))
        if geom is not None:
            geom = geometry_to_wgs84(geom, coordinate_system)
        if error:
            refuse(number, feature, "geometry", error, area.code)
            continue
        matched.append((number, feature, area, geom, warning))
        if progress and number % 500 == 0:
            progress(number, len(features))

    matched.sort(key=lambda m: LEVEL_DEPTH[m[2].level])
    shapes: dict[int, Any] = {}  # area id → its checked geometry (this file's)
    tolerance = tolerance_m / METRES_PER_DEGREE
    to_update: list[Area] = []
    for number, feature, area, geom, warning in matched:
        parent = _parent_shape(area, shapes, shape)
        if parent is not None:
            outside = geom.difference(parent.buffer(tolerance)).area / geom.area
            if outside > MAX_OUTSIDE:
                refuse(
                    number,
                    feature,
                    "geometry",
                    _(
                        "%(share).0f%% of it lies outside its parent %(parent)s (more than "
                        "%(tolerance)s m from its boundary)."
                    )
                    % {
                        "share": outside * 100,
                        "parent": area.parent.name if area.parent else "",
                        "tolerance": tolerance_m,
                    },
                    area.code,
                )
                continue
            if outside > WARN_OUTSIDE:
                warning = "；".join(
                    filter(
                        None,
                        [
                            warning,
                            _("%(share).1f%% of it lies outside its parent.")
                            % {"share": outside * 100},
                        ],
                    )
                )
        if warning:
            problems.append(problem(number, "geometry", warning, area.code, warning=True))
            counts["warned"] += 1
        shapes[area.pk] = geom
        boundary = _for_web(geom, area.level)
        if area.boundary == boundary:
            counts["unchanged"] += 1
            continue
        counts["updated" if area.boundary else "created"] += 1
        area.boundary = boundary
        if area.lon is None or area.lat is None:
            point = shapely.Point(geom.representative_point())
            area.lon, area.lat = round(point.x, 6), round(point.y, 6)
        to_update.append(area)
    with transaction.atomic():
        Area.objects.bulk_update(to_update, ["boundary", "lon", "lat"], batch_size=500)
        fh.seek(0)
        return record_load(
            kind=LoadKind.BOUNDARIES,
            filename=filename,
            fh=fh,
            encoding="",
            counts=counts,
            problems=sorted(problems, key=lambda p: p["row"]),
            refused=refused,
            notes=[],
            acting_user=acting_user,
            within=within,
            request=request,
            load=load,
            coordinate_system=coordinate_system,
        )


def _parent_shape(area: Area, shapes: dict[int, Any], shape) -> Any:
    """The parent's boundary: loaded from this file, or stored."""
    if area.parent_id is None:
        return None
    if area.parent_id in shapes:
        return shapes[area.parent_id]
    boundary = area.parent.boundary if area.parent else None
    if not boundary:
        return None
    try:
        parent = shape(boundary)
    except (ValueError, TypeError, AttributeError, IndexError):
        return None
    shapes[area.parent_id] = parent if parent.is_valid else parent.buffer(0)
    return shapes[area.parent_id]
