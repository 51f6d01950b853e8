"""Points of interest (场所): schools, hospitals, markets, stations, factories,
residential compounds, from a table (CSV, xlsx, xls) or GeoJSON points.

A place's category is read through a category mapping: the user's own
(``categories``: the word in the file → a kind), then the kinds' names in
Chinese and English, then words a category contains (小学 and 中学 are schools,
卫生院 a hospital, 农贸市场 a market, 码头 a port). A category none of these
knows is stored as "other" with a warning naming it, so that the mapping can be
completed and the file loaded again.

Its area, in this order: the area code the row gives (an old code resolves);
the village whose boundary holds its point (a township's when no village has a
boundary), or the nearest within a kilometre (a pier off the shore), with a
warning; the village its address names (``zhanyi.engine.linkage.address``,
the gazetteer of the area tree and the places already loaded). A row that none
of these places is refused. A point that lies in another village than the code
says is a warning. Places are matched to those stored by their numeric id, or
else by name within the area, so loading a file again updates, never doubles.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

import polars as pl
from django.db import transaction
from django.utils.translation import gettext as _

from zhanyi.core.tabular import cell_text
from zhanyi.engine.grid import ZHANGZHOU
from zhanyi.places.codes import resolve_many
from zhanyi.places.models import (
    Area,
    AreaLevel,
    CoordinateSystem,
    DataLoad,
    LoadKind,
    Place,
    PlaceKind,
)

from .common import (
    LoadFileError,
    LoadResult,
    Progress,
    RefusedRows,
    Table,
    check_coordinate_system,
    columns_of,
    file_format,
    key,
    open_table,
    problem,
    record_load,
)

HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("编号", "场所编号", "编码", "id", "place_id", "poi_id", "external_id"),
    "name": ("名称", "场所名称", "单位名称", "name"),
    "category": ("类别", "场所类别", "类型", "分类", "category", "kind", "type"),
    "lon": ("经度", "lon", "lng", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
    "address": ("地址", "详细地址", "address"),
    "area_code": ("区划代码", "所属村居代码", "村居代码", "area_code", "area"),
    "capacity": ("容量", "人数", "规模", "capacity"),
}
REQUIRED = ("name", "category")
FORMATS = ("csv", "xlsx", "xls", "geojson", "json")
#: A point outside every boundary goes to the nearest area within this (about 1 km).
NEAREST_DEGREES = 0.01
METRES_PER_DEGREE = 111_000

#: Words a category may contain, most specific first.
CATEGORY_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("幼儿园", "小学", "中学", "学校", "大学", "学院", "school"), PlaceKind.SCHOOL),
    (
        ("医院", "卫生院", "卫生服务", "诊所", "卫生室", "门诊", "hospital", "clinic"),
        PlaceKind.HOSPITAL,
    ),
    (("超市", "商场", "便利店", "supermarket", "mall"), PlaceKind.SUPERMARKET),
    (("农贸", "菜市场", "市场", "market"), PlaceKind.MARKET),
    (("餐厅", "饭店", "餐馆", "酒楼", "餐饮", "restaurant"), PlaceKind.RESTAURANT),
    (("港口", "码头", "渔港", "port"), PlaceKind.PORT),
    (("火车站", "高铁站", "汽车站", "客运站", "车站", "地铁站", "station"), PlaceKind.STATION),
    (("工厂", "企业", "公司", "工业", "厂", "factory", "workplace"), PlaceKind.WORKPLACE),
    (
        ("小区", "住宅", "花园", "公寓", "居住", "residential", "compound"),
        PlaceKind.RESIDENTIAL_COMPOUND,
    ),
)


def kind_of(category: str, categories: dict[str, str]) -> str | None:
    """The place kind a category names, or None."""
    text = key(category)
    if not text:
        return None
    mine = {key(k): v for k, v in categories.items()}
    if text in mine:
        return mine[text]
    for value, label in PlaceKind.choices:
        if text in (key(value), key(str(label))):
            return value
    for words, kind in CATEGORY_WORDS:
        if any(key(word) in text for word in words):
            return kind
    return None


def _geojson_table(fh: IO[bytes], mapping: dict[str, str] | None) -> Table:
    """GeoJSON point features as a table: their properties, and lon, lat."""
    import shapely
    from shapely.geometry import shape

    fh.seek(0)
    try:
        data = json.loads(fh.read().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LoadFileError(_("The file is not GeoJSON: %(error)s") % {"error": error}) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise LoadFileError(_("The file is not a GeoJSON FeatureCollection."))
    names: list[str] = []
    for feature in features[:1000]:
        for name in (feature.get("properties") or {}) if isinstance(feature, dict) else {}:
            if name not in names:
                names.append(name)
    header = [*names, "lon", "lat", "geometry"]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, feature in enumerate(features, start=1):
            if not isinstance(feature, dict):
                yield number, [None] * len(header)
                continue
            props = feature.get("properties") or {}
            geometry = feature.get("geometry")
            geometry = geometry if isinstance(geometry, dict) else {}
            lon = lat = None
            kind = geometry.get("type", "")
            if kind == "Point":
                lon, lat = (geometry.get("coordinates") or [None, None])[:2]
            elif kind in ("Polygon", "MultiPolygon"):
                try:
                    point = shapely.Point(shape(geometry).representative_point())
                    lon, lat = point.x, point.y
                except (ValueError, TypeError, AttributeError):
                    pass
            yield number, [props.get(n) for n in names] + [lon, lat, kind]

    columns = columns_of(header, HEADERS, mapping or {})
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise LoadFileError(
            _("The features' properties lack %(missing)s.") % {"missing": ", ".join(missing)}
        )
    return Table(header, columns, rows(), "", len(features))


class _Locator:
    """Villages (or townships) by point, and areas by address."""

    def __init__(self) -> None:
        self._tree: Any = None
        self._areas: list[Area] = []

    def by_point(self, lon: float, lat: float) -> tuple[Area | None, float]:
        """The area whose boundary holds the point, or the nearest within
        ``NEAREST_DEGREES``, and how far outside it the point lies (metres)."""
        import shapely
        from shapely.geometry import shape
        from shapely.strtree import STRtree

        if self._tree is None:
            for level in (AreaLevel.VILLAGE, AreaLevel.TOWNSHIP):
                self._areas = list(Area.objects.filter(level=level).exclude(boundary=None))
                if self._areas:
                    break
            geoms = []
            for area in self._areas:
                geom = shape(area.boundary)
                geoms.append(geom if geom.is_valid else geom.buffer(0))
            self._tree = STRtree(geoms)
        if not self._areas:
            return None, 0.0
        point = shapely.Point(lon, lat)
        hits = self._tree.query(point, predicate="intersects")
        if len(hits):
            return self._areas[int(min(hits))], 0.0
        # A pier or a port just off the shore: the nearest area, if near.
        nearest = self._tree.query_nearest(point, max_distance=NEAREST_DEGREES)
        if len(nearest):
            index = int(min(nearest))
            distance = self._tree.geometries[index].distance(point) * METRES_PER_DEGREE
            return self._areas[index], distance
        return None, 0.0

    def by_address(self, addresses: list[str]) -> dict[str, str]:
        """Address → the code of its village (or township), for those found."""
        if not addresses:
            return {}
        # The linkage engine loads Splink (seconds): only when addresses are read.
        from zhanyi.engine.linkage.address import Gazetteer

        areas = pl.DataFrame(
            list(Area.objects.values_list("code", "name", "level", "parent__code")),
            schema=["code", "name", "level", "parent_code"],
            orient="row",
        )
        if areas.filter(pl.col("level") == AreaLevel.TOWNSHIP).height == 0:
            return {}
        places = pl.DataFrame(
            list(Place.objects.values_list("name", "area__code")),
            schema=["name", "area_code"],
            orient="row",
        )
        found = Gazetteer(areas, places).resolve(addresses)
        return {
            row["address"]: row["village_code"] or row["township_code"]
            for row in found.iter_rows(named=True)
            if row["village_code"] or row["township_code"]
        }


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value else None  # NaN


def do_load_places(
    fh: IO[bytes],
    filename: str,
    *,
    acting_user,
    within: Area | None = None,
    categories: dict[str, str] | None = None,
    mapping: dict[str, str] | None = None,
    progress: Progress | None = None,
    request=None,
    load: DataLoad | None = None,
    coordinate_system: str = CoordinateSystem.WGS84,
) -> LoadResult:
    """Load places from a table or GeoJSON; see the module's docstring. Points
    in GCJ-02 or BD-09 (``coordinate_system``) are converted to WGS-84 first."""
    check_coordinate_system(coordinate_system)
    categories = dict(categories or {})
    bad = sorted({v for v in categories.values() if v not in PlaceKind.values})
    if bad:
        raise LoadFileError(
            _("The category mapping names unknown kinds %(kinds)s (known: %(known)s).")
            % {"kinds": ", ".join(bad), "known": ", ".join(PlaceKind.values)}
        )
    fmt = file_format(filename, FORMATS)
    if fmt in ("geojson", "json"):
        table = _geojson_table(fh, mapping)
    else:
        table = open_table(fh, fmt, HEADERS, REQUIRED, mapping)
    refused = RefusedRows(table.header)
    problems: list[dict] = []
    counts = {"read": 0, "created": 0, "updated": 0, "unchanged": 0, "refused": 0, "warned": 0}
    rows = []
    for number, cells in table.rows:
        counts["read"] += 1
        if progress and counts["read"] % 1000 == 0:
            progress(counts["read"], table.total)
        rows.append(_read_row(table, number, cells, categories))
    _to_wgs84(rows, coordinate_system)
    areas = resolve_many({r["area_code"] for r in rows if r["area_code"]})
    locator = _Locator()
    addresses = locator.by_address(
        sorted(
            {
                r["address"]
                for r in rows
                if r["address"] and not areas.get(r["area_code"]) and r["lon"] is None
            }
        )
    )
    address_areas = resolve_many(set(addresses.values()))
    placed: list[tuple[dict, Area]] = []
    for row in rows:
        area = _place_row(row, areas, locator, addresses, address_areas)
        if area is not None and within is not None and not area.path.startswith(within.path):
            row["errors"].append(problem(row["row"], "area_code", _("Outside your jurisdiction.")))
        problems.extend(row["warnings"])
        if row["errors"] or area is None:
            problems.extend(row["errors"])
            refused.add(row["row"], row["cells"], row["errors"])
            counts["refused"] += 1
            continue
        if row["warnings"]:
            counts["warned"] += 1
        placed.append((row, area))
    with transaction.atomic():
        _store(placed, refused, problems, counts)
        return record_load(
            kind=LoadKind.PLACES,
            filename=filename,
            fh=fh,
            encoding=table.encoding,
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


def _to_wgs84(rows: list[dict], system: str) -> None:
    """The rows' points moved to WGS-84, in place, all at once."""
    if system == CoordinateSystem.WGS84:
        return
    from zhanyi.engine.coords import to_wgs84

    placed = [r for r in rows if r["lon"] is not None]
    if not placed:
        return
    lon, lat = to_wgs84([r["lon"] for r in placed], [r["lat"] for r in placed], system)
    for row, x, y in zip(placed, lon.tolist(), lat.tolist(), strict=True):
        row["lon"], row["lat"] = round(x, 7), round(y, 7)


def _read_row(table: Table, number: int, cells: list[Any], categories: dict[str, str]) -> dict:
    errors: list[dict] = []
    warnings: list[dict] = []
    name = table.text(cells, "name")
    if not name:
        errors.append(problem(number, "name", _("The place has no name.")))
    category = table.text(cells, "category")
    kind = kind_of(category, categories)
    if kind is None:
        kind = PlaceKind.OTHER
        warnings.append(
            problem(
                number,
                "category",
                _(
                    "The category %(category)s is not known: stored as other (map it to a kind "
                    "and load the file again)."
                )
                % {"category": category or "—"},
                category,
                warning=True,
            )
        )
    lon, lat = _float(table.text(cells, "lon")), _float(table.text(cells, "lat"))
    if (lon is None) != (lat is None) or (
        lon is not None and lat is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90)
    ):
        errors.append(
            problem(
                number,
                "lon",
                _("The longitude and latitude are not both numbers in degrees."),
                f"{table.text(cells, 'lon')}, {table.text(cells, 'lat')}",
            )
        )
        lon = lat = None
    external = table.text(cells, "id")
    capacity = _float(table.text(cells, "capacity"))
    return {
        "row": number,
        "cells": cells,
        "name": name[:200],
        "kind": kind,
        "lon": lon,
        "lat": lat,
        "address": table.text(cells, "address"),
        "area_code": table.text(cells, "area_code"),
        "external_id": int(external) if external.isdigit() and len(external) < 19 else None,
        "capacity": max(int(capacity), 0) if capacity is not None else 0,
        "errors": errors,
        "warnings": warnings,
    }


def _place_row(row, areas, locator: _Locator, addresses, address_areas) -> Area | None:
    number = row["row"]
    area = areas.get(row["area_code"]) if row["area_code"] else None
    if row["area_code"] and area is None:
        row["warnings" if row["lon"] is not None else "errors"].append(
            problem(
                number,
                "area_code",
                _("No area with the code %(code)s.") % {"code": row["area_code"]},
                row["area_code"],
                warning=row["lon"] is not None,
            )
        )
    if row["lon"] is not None:
        at, distance = locator.by_point(row["lon"], row["lat"])
        if area is None:
            area = at
            if at is not None and distance > 0:
                row["warnings"].append(
                    problem(
                        number,
                        "lon",
                        _(
                            "The point lies %(metres).0f m outside %(area)s, the nearest area: "
                            "placed there."
                        )
                        % {"metres": distance, "area": at.name},
                        f"{row['lon']}, {row['lat']}",
                        warning=True,
                    )
                )
        elif at is not None and not (
            at.path.startswith(area.path) or area.path.startswith(at.path)
        ):
            row["warnings"].append(
                problem(
                    number,
                    "area_code",
                    _("The point lies in %(at)s, not in %(area)s: the code is taken.")
                    % {"at": at.name, "area": area.name},
                    row["area_code"],
                    warning=True,
                )
            )
    if area is None and row["address"]:
        area = address_areas.get(addresses.get(row["address"], ""))
        if area is not None and area.level != AreaLevel.VILLAGE:
            row["warnings"].append(
                problem(
                    number,
                    "address",
                    _("The address names %(area)s but no village of it.") % {"area": area.name},
                    row["address"],
                    warning=True,
                )
            )
    if area is None and not row["errors"]:
        row["errors"].append(
            problem(
                number,
                "area_code",
                _(
                    "No area found: give the area code, a point inside a loaded boundary, or an "
                    "address that names the village."
                ),
                row["address"] or cell_text(row["area_code"]),
            )
        )
    return area


def _store(placed: list[tuple[dict, Area]], refused, problems, counts) -> None:
    by_id = {p.external_id: p for p in Place.objects.exclude(external_id=None)}
    area_ids = {a.pk for _row, a in placed}
    by_name = {(p.area_id, p.name): p for p in Place.objects.filter(area_id__in=area_ids)}
    seen: dict[Any, int] = {}
    to_create: list[Place] = []
    to_update: list[Place] = []
    fields = ["name", "kind", "area", "lon", "lat", "cell_id", "capacity"]
    for row, area in placed:
        ident = row["external_id"] if row["external_id"] is not None else (area.pk, row["name"])
        if ident in seen:
            issue = problem(
                row["row"], "id", _("The place repeats row %(row)d.") % {"row": seen[ident]}
            )
            problems.append(issue)
            refused.add(row["row"], row["cells"], [issue])
            counts["refused"] += 1
            continue
        seen[ident] = row["row"]
        place = (
            by_id.get(row["external_id"])
            if row["external_id"] is not None
            else by_name.get((area.pk, row["name"]))
        )
        cell = None
        if row["lon"] is not None:
            cell = int(ZHANGZHOU.cell_of(row["lon"], row["lat"]))
            cell = cell if cell >= 0 else None
        values = {
            "name": row["name"],
            "kind": row["kind"],
            "area_id": area.pk,
            "lon": row["lon"],
            "lat": row["lat"],
            "cell_id": cell,
            "capacity": row["capacity"],
        }
        if place is None:
            to_create.append(Place(external_id=row["external_id"], **values))
            counts["created"] += 1
            continue
        if all(getattr(place, f) == v for f, v in values.items()):
            counts["unchanged"] += 1
            continue
        for f, v in values.items():
            setattr(place, f, v)
        to_update.append(place)
        counts["updated"] += 1
    Place.objects.bulk_create(to_create, batch_size=2000)
    Place.objects.bulk_update(to_update, fields, batch_size=2000)
