"""Writes to the area tree and places.

Imports are bulk paths: the full city has about 2,000 villages and tens of
thousands of places, loaded once, so they go in with ``bulk_create`` in
batches, parents before children, inside one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.db import transaction

from zhanyi.core import audit
from zhanyi.places.models import LEVEL_DEPTH, Area, AreaLevel, Place, PlaceKind


class PlacesImportError(ValueError):
    """Rows that cannot be imported; ``problems`` says which and why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:10]))
        self.problems = problems


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)


def _geometry(value: Any) -> dict | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        return json.loads(value)
    return dict(value)


def _area_from_row(
    row: Mapping[str, Any], existing: dict[str, Area], levels: dict[str, str]
) -> tuple[Area, str]:
    """The area a row describes, or why it cannot be. ``levels`` holds the
    level of every code known, stored or in this import."""
    code, level = str(row["code"]), row["level"]
    if level not in LEVEL_DEPTH:
        return Area(), f"area {code}: unknown level {level!r}"
    parent_code = str(row.get("parent_code") or "")
    if not parent_code and level != AreaLevel.CITY:
        return Area(), f"area {code}: only a city may have no parent"
    if parent_code and parent_code not in levels:
        return Area(), f"area {code}: parent {parent_code} is unknown"
    if parent_code and LEVEL_DEPTH.get(levels[parent_code], 99) >= LEVEL_DEPTH[level]:
        return Area(), f"area {code}: level {level} cannot sit under {levels[parent_code]}"
    parent = existing.get(parent_code) if parent_code else None
    if parent_code and (parent is None or parent.pk is None):
        # Its parent's own row was refused: that problem is reported already.
        return Area(), f"area {code}: parent {parent_code} could not be imported"
    area = existing.get(code) or Area(code=code)
    area.name = row["name"]
    area.level = level
    area.kind = row.get("kind") or level
    area.parent = parent
    area.path = Area.path_for(code, parent)
    area.population = int(row.get("population") or 0)
    area.lon = row.get("lon")
    area.lat = row.get("lat")
    area.boundary = _geometry(row.get("boundary"))
    return area, ""


@transaction.atomic
def do_import_areas(
    *, acting_user, rows: Iterable[Mapping[str, Any]], source_ref: str = "", batch_size: int = 2000
) -> ImportCounts:
    """Create or update areas from rows of code, name, level, kind, parent_code,
    population, lon, lat and boundary (GeoJSON geometry, as text or dict).

    Parents may come after their children in the input: rows are placed by
    level. Any row whose parent is unknown, or whose level is not below its
    parent's, refuses the whole import, so the tree is never half-built.
    """
    rows = sorted(rows, key=lambda r: LEVEL_DEPTH.get(r["level"], 99))
    existing = {a.code: a for a in Area.objects.all()}
    levels = {code: a.level for code, a in existing.items()}
    levels.update({str(r["code"]): r["level"] for r in rows})
    problems: list[str] = []
    to_update: list[Area] = []
    created = 0
    # Level by level, so that children find their parent's primary key.
    for _depth, level_rows in groupby(rows, key=lambda r: LEVEL_DEPTH.get(r["level"], 99)):
        to_create: list[Area] = []
        for row in level_rows:
            area, problem = _area_from_row(row, existing, levels)
            if problem:
                problems.append(problem)
                continue
            if area.pk is None:
                to_create.append(area)
            else:
                to_update.append(area)
            existing[area.code] = area
        Area.objects.bulk_create(to_create, batch_size=batch_size)
        created += len(to_create)
    if problems:
        raise PlacesImportError(problems)
    if to_update:
        Area.objects.bulk_update(
            to_update,
            ["name", "level", "kind", "parent", "path", "population", "lon", "lat", "boundary"],
            batch_size=batch_size,
        )
    counts = ImportCounts(created=created, updated=len(to_update))
    audit.record(
        actor=acting_user,
        action="areas.import",
        object_type="area",
        detail={"created": counts.created, "updated": counts.updated, "source": source_ref},
    )
    return counts


@transaction.atomic
def do_import_places(
    *, acting_user, rows: Iterable[Mapping[str, Any]], source_ref: str = "", batch_size: int = 5000
) -> ImportCounts:
    """Create or update places from rows of place_id, name, kind, area_code,
    lon, lat, cell_id and capacity. A row with an unknown area or kind refuses
    the whole import."""
    areas = dict(Area.objects.values_list("code", "id"))
    kinds = set(PlaceKind.values)
    existing = dict(Place.objects.exclude(external_id=None).values_list("external_id", "id"))
    problems = []
    to_create, to_update = [], []
    for row in rows:
        external_id = int(row["place_id"])
        area_id = areas.get(str(row["area_code"]))
        if area_id is None:
            problems.append(f"place {external_id}: area {row['area_code']} is unknown")
            continue
        kind = row["kind"] if row["kind"] in kinds else None
        if kind is None:
            problems.append(f"place {external_id}: unknown kind {row['kind']!r}")
            continue
        place = Place(
            external_id=external_id,
            name=row["name"],
            kind=kind,
            area_id=area_id,
            lon=row.get("lon"),
            lat=row.get("lat"),
            cell_id=row.get("cell_id"),
            capacity=int(row.get("capacity") or 0),
        )
        if external_id in existing:
            place.id = existing[external_id]
            to_update.append(place)
        else:
            to_create.append(place)
    if problems:
        raise PlacesImportError(problems)
    Place.objects.bulk_create(to_create, batch_size=batch_size)
    Place.objects.bulk_update(
        to_update,
        ["name", "kind", "area", "lon", "lat", "cell_id", "capacity"],
        batch_size=batch_size,
    )
    counts = ImportCounts(created=len(to_create), updated=len(to_update))
    audit.record(
        actor=acting_user,
        action="places.import",
        object_type="place",
        detail={"created": counts.created, "updated": counts.updated, "source": source_ref},
    )
    return counts
