"""Statistical division codes (统计用区划代码) and the area codes zhanyi keeps.

The statistics bureau publishes 12 digits for every area down to the village
and community: province (2) city (2) county (2) township (3) village (3), the
unused tail in zeros (漳州市 350600000000, 芗城区 350602000000, 西桥街道
350602001000, a community 350602001001). zhanyi keeps the short form that
identity numbers and addresses use: the city and counties in 6 digits, a
township in 9, a village in 12, and a management grid (网格, which the bureau
does not code) in 15, the village's code and three digits. A code's parent is
its prefix: a village's is its first 9 digits, a township's its first 6 (a
county, or the city itself where the city has no counties, as 东莞), a
county's the city (first 4 and 00).

``resolve`` finds an area by any code it had: its code now, or a former code
kept in ``AreaAlias`` when it was recoded or merged.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from .models import Area, AreaAlias, AreaLevel

_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")

PROVINCE = "province"


@dataclass(frozen=True)
class Code:
    """A code read from a file: the short form, its level and its parent's code."""

    code: str
    level: str  # an AreaLevel, or PROVINCE
    parent: str | None


class CodeError(ValueError):
    """Not a division code; the message says why."""


def normalise(raw: str) -> Code:
    """The area code written as 2, 4, 6, 9, 12 or 15 digits (spaces, full-width
    digits and a trailing ``.0`` of a spreadsheet tolerated)."""
    text = "".join(str(raw).translate(_FULL_WIDTH).split())
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit():
        raise CodeError("not digits")
    if len(text) in (2, 4):
        text = text.ljust(6, "0")
    if len(text) == 12:
        if text[6:] == "000000":
            text = text[:6]
        elif text[9:] == "000":
            text = text[:9]
    if len(text) == 6:
        if text[2:] == "0000":
            return Code(text, PROVINCE, None)
        if text[4:] == "00":
            return Code(text, AreaLevel.CITY, None)
        return Code(text, AreaLevel.COUNTY, text[:4] + "00")
    if len(text) == 9:
        return Code(text, AreaLevel.TOWNSHIP, text[:6])
    if len(text) == 12:
        return Code(text, AreaLevel.VILLAGE, text[:9])
    if len(text) == 15:
        return Code(text, AreaLevel.GRID, text[:12])
    raise CodeError("wrong length")


def statistical(code: str) -> str:
    """The 12-digit form the statistics bureau publishes (a grid keeps its 15)."""
    return code.ljust(12, "0") if len(code) < 12 else code


def resolve(code: str) -> Area | None:
    """The area that has or had ``code`` (a former code of a recoded or merged
    area resolves to the area now), or None."""
    short = _short(code)
    area = Area.objects.filter(code=short).first()
    if area is not None:
        return area
    alias = (
        AreaAlias.objects.filter(Q(code=short) | Q(code=code))
        .select_related("area")
        .order_by("-changed_at", "-id")
        .first()
    )
    return alias.area if alias else None


def _short(code: str) -> str:
    try:
        return normalise(code).code
    except CodeError:
        return code


def resolve_many(codes: set[str]) -> dict[str, Area]:
    """``resolve`` for many codes (as written: 12 digits or short) in two
    queries; unknown codes are left out."""
    short = {code: _short(code) for code in codes}
    found = {
        a.code: a
        for a in Area.objects.filter(code__in=set(short.values())).select_related("parent")
    }
    missing = set(short.values()) - set(found)
    if missing:
        for alias in (
            AreaAlias.objects.filter(code__in=missing)
            .select_related("area", "area__parent")
            .order_by("changed_at", "id")
        ):
            found[alias.code] = alias.area  # the latest wins
    return {code: found[s] for code, s in short.items() if s in found}
