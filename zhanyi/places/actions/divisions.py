"""The statistical division codes (统计用区划代码) as the statistics bureau publishes them.

A CSV or xlsx of code, name and, when the file has them, the urban-rural code
(城乡分类代码), the level, the parent's code, a former code, population and a
point. The level and the parent are read from the code itself
(``zhanyi.places.codes``); a level or parent column that disagrees with the
code is a problem of that row. The province's own row and the cities'
"市辖区" rows name no area of the city and are skipped with a note.

A row whose parent is neither stored nor in the file is refused (and so are
its children), the rest are stored: the refused rows go to the error file.
Loading the same file again changes nothing (every row is unchanged). A name
that changed keeps the old one in ``AreaAlias``; a row with a former code
(原区划代码) takes over the area of that code (``do_merge_areas``): a recoded
area keeps its people, places and children under its new code, two villages
merged into one become one, and the old code still resolves.
"""

from __future__ import annotations

from collections import defaultdict
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.places.codes import PROVINCE, CodeError, normalise
from zhanyi.places.models import (
    LEVEL_DEPTH,
    AliasReason,
    Area,
    AreaAlias,
    AreaLevel,
    DataLoad,
    LoadKind,
)

from .common import (
    LoadFileError,
    LoadResult,
    Progress,
    RefusedRows,
    file_format,
    open_table,
    problem,
    record_load,
)

HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("统计用区划代码", "区划代码", "行政区划代码", "代码", "编码", "code", "adcode"),
    "name": ("名称", "区划名称", "单位名称", "name"),
    "urban_rural": ("城乡分类代码", "城乡分类", "城乡代码", "urban_rural", "category"),
    "level": ("级别", "层级", "区划级别", "level"),
    "parent": ("上级代码", "上级区划代码", "父级代码", "parent_code", "pcode", "parent"),
    "former_code": ("原区划代码", "原代码", "曾用代码", "变更前代码", "former_code"),
    "kind": ("类型", "kind"),
    "population": ("人口", "常住人口", "户籍人口", "population"),
    "lon": ("经度", "lon", "lng", "longitude"),
    "lat": ("纬度", "lat", "latitude"),
}
REQUIRED = ("code", "name")

#: What a level column may say (the bureau numbers its levels 1 to 5).
LEVEL_WORDS: dict[str, str] = {
    "1": PROVINCE,
    "省": PROVINCE,
    "province": PROVINCE,
    "2": AreaLevel.CITY,
    "市": AreaLevel.CITY,
    "地级": AreaLevel.CITY,
    "city": AreaLevel.CITY,
    "3": AreaLevel.COUNTY,
    "县": AreaLevel.COUNTY,
    "区县": AreaLevel.COUNTY,
    "县级": AreaLevel.COUNTY,
    "county": AreaLevel.COUNTY,
    "4": AreaLevel.TOWNSHIP,
    "乡": AreaLevel.TOWNSHIP,
    "乡镇": AreaLevel.TOWNSHIP,
    "乡级": AreaLevel.TOWNSHIP,
    "township": AreaLevel.TOWNSHIP,
    "5": AreaLevel.VILLAGE,
    "村": AreaLevel.VILLAGE,
    "村级": AreaLevel.VILLAGE,
    "village": AreaLevel.VILLAGE,
    "6": AreaLevel.GRID,
    "网格": AreaLevel.GRID,
    "grid": AreaLevel.GRID,
}
_ZONE_WORDS = ("开发区", "投资区", "高新区", "新区", "片区", "管委会", "管理区", "试验区")


def kind_of(level: str, name: str, urban_rural: str) -> str:
    """The kind of area a name and urban-rural code say (district, town, community …)."""
    if level == AreaLevel.CITY:
        return "city"
    if level == AreaLevel.GRID:
        return "grid"
    if level == AreaLevel.COUNTY:
        if any(word in name for word in _ZONE_WORDS):
            return "development_zone"
        return "district" if name.endswith("区") else "county"
    if level == AreaLevel.TOWNSHIP:
        if name.endswith(("街道", "街道办事处", "办事处", "片区")):
            return "subdistrict"
        if name.endswith("镇"):
            return "town"
        return "township"
    if name.endswith(("社区", "居委会", "居民委员会", "社区居委会")):
        return "community"
    if name.endswith(("村", "村委会", "村民委员会")):
        return "village"
    return "community" if urban_rural.startswith("1") else "village"


def _number(text: str) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _read(
    table, refused: RefusedRows, problems: list[dict], notes: list[str], prefix: str, progress
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The rows that name an area, checked one by one; counts of the others."""
    counts = {"read": 0, "skipped": 0, "refused": 0, "warned": 0}
    rows: list[dict[str, Any]] = []
    first_row_of: dict[str, int] = {}
    for number, cells in table.rows:
        counts["read"] += 1
        if progress and counts["read"] % 1000 == 0:
            progress(counts["read"], table.total)
        raw = table.text(cells, "code")
        name = table.text(cells, "name")
        errors: list[dict] = []
        warnings: list[dict] = []
        try:
            code = normalise(raw)
        except CodeError:
            errors.append(
                problem(
                    number,
                    "code",
                    _("Not a division code: write its 12 digits (350602001001)."),
                    raw,
                )
            )
            code = None
        if code is not None and code.level == PROVINCE:
            notes.append(_("Row %(row)d is the province: skipped.") % {"row": number})
            counts["skipped"] += 1
            continue
        if name == "市辖区":
            counts["skipped"] += 1
            continue
        if code is not None and prefix and not code.code.startswith(prefix):
            counts["skipped"] += 1
            continue
        if not name:
            errors.append(problem(number, "name", _("The area has no name.")))
        level_text = table.text(cells, "level").lower()
        if code is not None and level_text:
            said = LEVEL_WORDS.get(level_text)
            if said is None or said != code.level:
                errors.append(
                    problem(
                        number,
                        "level",
                        _("The level does not match the code, which is a %(level)s's.")
                        % {"level": AreaLevel(code.level).label},
                        level_text,
                    )
                )
        parent_text = table.text(cells, "parent")
        if code is not None and parent_text and code.parent:
            try:
                said_parent = normalise(parent_text).code
            except CodeError:
                said_parent = parent_text
            if said_parent != code.parent:
                warnings.append(
                    problem(
                        number,
                        "parent",
                        _("The parent column says %(said)s; the code says %(parent)s, taken.")
                        % {"said": parent_text, "parent": code.parent},
                        parent_text,
                        warning=True,
                    )
                )
        if code is not None and code.code in first_row_of:
            errors.append(
                problem(
                    number,
                    "code",
                    _("The code repeats row %(row)d.") % {"row": first_row_of[code.code]},
                    raw,
                )
            )
        former = table.text(cells, "former_code")
        former_code = ""
        if former:
            try:
                former_code = normalise(former).code
            except CodeError:
                errors.append(problem(number, "former_code", _("Not a division code."), former))
        problems.extend(warnings)
        if errors or code is None:
            problems.extend(errors)
            refused.add(number, cells, errors)
            counts["refused"] += 1
            continue
        if warnings:
            counts["warned"] += 1
        first_row_of[code.code] = number
        urban_rural = table.text(cells, "urban_rural")[:3]
        population = table.text(cells, "population")
        rows.append(
            {
                "row": number,
                "cells": cells,
                "code": code.code,
                "level": code.level,
                "parent": code.parent,
                "name": name[:100],
                "urban_rural": urban_rural,
                "kind": table.text(cells, "kind") or kind_of(code.level, name, urban_rural),
                "population": int(float(population)) if _number(population) is not None else None,
                "lon": _number(table.text(cells, "lon")),
                "lat": _number(table.text(cells, "lat")),
                "former_code": former_code if former_code != code.code else "",
            }
        )
    return rows, counts


def do_load_divisions(
    fh: IO[bytes],
    filename: str,
    *,
    acting_user,
    within: Area | None = None,
    prefix: str = "",
    mapping: dict[str, str] | None = None,
    progress: Progress | None = None,
    request=None,
    load: DataLoad | None = None,
) -> LoadResult:
    """Load a division-code file; see the module's docstring.

    ``within``: the importer's jurisdiction (rows outside it are refused);
    ``prefix``: keep only codes starting so (a province's file loaded for one
    city: ``3506``), the others skipped. Raises ``LoadFileError`` for a file
    that cannot be read or lacks the code and name columns (nothing stored).
    """
    fmt = file_format(filename)
    table = open_table(fh, fmt, HEADERS, REQUIRED, mapping)
    refused = RefusedRows(table.header)
    problems: list[dict] = []
    notes: list[str] = []
    rows, counts = _read(table, refused, problems, notes, prefix, progress)
    with transaction.atomic():
        stored = _store(rows, refused, problems, counts, within, acting_user, filename)
        counts.update(stored)
        if counts["skipped"]:
            notes.append(
                _(
                    "%(count)d rows name no area of the city (the province, 市辖区, other "
                    "cities): skipped."
                )
                % {"count": counts["skipped"]}
            )
        return record_load(
            kind=LoadKind.AREAS,
            filename=filename,
            fh=fh,
            encoding=table.encoding,
            counts=counts,
            problems=sorted(problems, key=lambda p: p["row"]),
            refused=refused,
            notes=notes,
            acting_user=acting_user,
            within=within,
            request=request,
            load=load,
        )


def _store(
    rows: list[dict[str, Any]],
    refused: RefusedRows,
    problems: list[dict],
    counts: dict[str, int],
    within: Area | None,
    acting_user,
    source: str,
) -> dict[str, int]:
    """Parents before children, level by level; a row whose parent is missing
    is refused (and, by that, its children)."""
    out = {"created": 0, "updated": 0, "unchanged": 0}
    rows.sort(key=lambda r: LEVEL_DEPTH[r["level"]])
    known: dict[str, Area] = {
        a.code: a
        for a in Area.objects.filter(
            code__in={r["code"] for r in rows} | {r["parent"] for r in rows if r["parent"]}
        )
    }
    now = timezone.now()
    by_depth: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_depth[LEVEL_DEPTH[row["level"]]].append(row)
    merges: list[tuple[dict[str, Any], Area, bool]] = []
    for depth in sorted(by_depth):
        to_create: list[Area] = []
        to_update: list[Area] = []
        for row in by_depth[depth]:
            parent = known.get(row["parent"]) if row["parent"] else None
            if row["parent"] and parent is None:
                _refuse(
                    row,
                    refused,
                    problems,
                    counts,
                    "code",
                    _(
                        "Its parent %(parent)s is not loaded: load the parent's row first, or "
                        "with it."
                    )
                    % {"parent": row["parent"]},
                )
                continue
            if within is not None and not (
                Area.path_for(row["code"], parent).startswith(within.path)
            ):
                _refuse(row, refused, problems, counts, "code", _("Outside your jurisdiction."))
                continue
            area = known.get(row["code"])
            if area is None:
                area = Area(code=row["code"], level=row["level"])
                to_create.append(area)
                out["created"] += 1
            elif _changed(area, row, parent):
                if area.name != row["name"]:
                    AreaAlias.objects.create(
                        code=area.code,
                        name=area.name,
                        area=area,
                        reason=AliasReason.RENAMED,
                        changed_at=now,
                        source=source[:255],
                    )
                to_update.append(area)
                out["updated"] += 1
            else:
                out["unchanged"] += 1
            _apply(area, row, parent)
            known[area.code] = area
            if row["former_code"]:
                merges.append((row, area, area.pk is None))
        Area.objects.bulk_create(to_create, batch_size=2000)
        Area.objects.bulk_update(
            to_update,
            ["name", "kind", "parent", "path", "urban_rural", "population", "lon", "lat"],
            batch_size=2000,
        )
    for row, area, new in merges:
        reason = AliasReason.RECODED if new else AliasReason.MERGED
        _take_over(row, area, reason, problems, counts, acting_user, source)
    return out


def _refuse(row, refused, problems, counts, column: str, message: str) -> None:
    issue = problem(row["row"], column, message, row["code"])
    problems.append(issue)
    refused.add(row["row"], row["cells"], [issue])
    counts["refused"] += 1


def _changed(area: Area, row: dict[str, Any], parent: Area | None) -> bool:
    return (
        area.name != row["name"]
        or area.kind != row["kind"]
        or area.parent_id != (parent.pk if parent else None)
        or (row["urban_rural"] and area.urban_rural != row["urban_rural"])
        or (row["population"] is not None and area.population != row["population"])
        or (row["lon"] is not None and area.lon != row["lon"])
        or (row["lat"] is not None and area.lat != row["lat"])
    )


def _apply(area: Area, row: dict[str, Any], parent: Area | None) -> None:
    area.name = row["name"]
    area.kind = row["kind"][:32]
    area.parent = parent
    area.path = Area.path_for(area.code, parent)
    if row["urban_rural"]:
        area.urban_rural = row["urban_rural"]
    if row["population"] is not None:
        area.population = row["population"]
    if row["lon"] is not None:
        area.lon = row["lon"]
    if row["lat"] is not None:
        area.lat = row["lat"]


def _take_over(row, area: Area, reason: str, problems, counts, acting_user, source: str) -> None:
    """The area of the row's former code becomes this one (recoded or merged)."""
    former = Area.objects.filter(code=row["former_code"]).first()
    if former is None:
        if not AreaAlias.objects.filter(code=row["former_code"], area=area).exists():
            AreaAlias.objects.create(
                code=row["former_code"],
                name=row["name"],
                area=area,
                reason=AliasReason.RECODED,
                changed_at=timezone.now(),
                source=source[:255],
            )
        return
    try:
        merge_areas(former, area, acting_user=acting_user, reason=reason, source=source)
    except ValidationError as error:
        problems.append(problem(row["row"], "former_code", error.messages[0], row["former_code"]))
        counts["warned"] += 1


def merge_areas(
    old: Area, into: Area, *, acting_user, reason: str = AliasReason.MERGED, source: str = ""
) -> None:
    """Everything of ``old`` goes to ``into``; ``old``'s code and name stay as an
    alias of ``into`` and ``old`` is deleted. Every table that points at an area
    is followed (the area tree's own relations), so no app needs to be named.
    Runs in the caller's transaction; refuses (``ValidationError``) an area into
    its own subtree, or a move that a table's uniqueness forbids."""
    if into.path.startswith(old.path):
        raise ValidationError(
            _("%(old)s cannot be merged into %(into)s, which lies within it.")
            % {"old": old.code, "into": into.code}
        )
    moved = 0
    for child in list(Area.objects.filter(path__startswith=old.path).exclude(pk=old.pk)):
        child.path = into.path + child.path[len(old.path) :]
        if child.parent_id == old.pk:
            child.parent = into
        child.save(update_fields=["path", "parent"])
        moved += 1
    repointed: dict[str, int] = {}
    for relation in Area._meta.related_objects:
        model = relation.related_model
        if (
            isinstance(model, str)
            or model is Area
            or not (relation.one_to_many or relation.one_to_one)
        ):
            continue
        name = relation.field.name
        try:
            with transaction.atomic():
                n = model._base_manager.filter(**{name: old}).update(**{name: into})
        except IntegrityError:
            raise ValidationError(
                _(
                    "%(old)s cannot be merged into %(into)s: both have %(what)s, which an area "
                    "may have only once."
                )
                % {"old": old.code, "into": into.code, "what": model._meta.verbose_name_plural}
            ) from None
        if n:
            repointed[model._meta.label] = n
    AreaAlias.objects.create(
        code=old.code,
        name=old.name,
        area=into,
        reason=reason,
        changed_at=timezone.now(),
        source=source[:255],
    )
    audit.record(
        actor=acting_user,
        action="places.area.merge",
        obj=into,
        area=into,
        detail={
            "reason": reason,
            "from": old.code,
            "from_name": old.name,
            "children": moved,
            "moved": repointed,
        },
    )
    old.delete()


@transaction.atomic
def do_merge_areas(*, acting_user, old_code: str, into_code: str) -> Area:
    """Merge the area ``old_code`` into ``into_code`` (区划调整); see ``merge_areas``."""
    old = Area.objects.filter(code=old_code).first()
    into = Area.objects.filter(code=into_code).first()
    if old is None or into is None:
        raise ValidationError(
            _("No area with the code %(code)s.") % {"code": old_code if old is None else into_code}
        )
    if old.pk == into.pk:
        raise ValidationError(_("An area cannot be merged into itself."))
    merge_areas(old, into, acting_user=acting_user)
    return into


__all__ = ["LoadFileError", "do_load_divisions", "do_merge_areas", "kind_of", "merge_areas"]
