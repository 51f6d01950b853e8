"""The risk level of a pushed person's origin (来源地风险等级), from the zones.

A push list names where each person comes from (推送地) and may give a risk
level (高/中). When the origin lies in our own area tree (a code of
``zhanyi.places.codes``, a village or township the gazetteer finds, or the
name of one of our areas: the city, a county), the zones in force over it
when the person arrived say the level, through ``zhanyi.places.risk``
(screening never asks the zones app itself): a sealed zone or a high-risk
area is high (高风险), a controlled zone or a medium-risk area medium
(中风险), a prevention zone none. The list
blank, the zones' level is stored; the list saying another level, the list's
is kept and the record carries a warning naming both.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhanyi.people import linkage
from zhanyi.places import codes
from zhanyi.places.models import Area, AreaLevel
from zhanyi.places.risk import AreaRisk, Tier, risk_of_paths
from zhanyi.screening.validation import FIELDS

#: The risk level a tier gives a person arriving from it ("": none).
ZONE_LEVEL: dict[str, str] = {
    Tier.SEALED: "high",
    Tier.HIGH_RISK: "high",
    Tier.CONTROLLED: "medium",
    Tier.MEDIUM_RISK: "medium",
    Tier.PREVENTION: "",
}


@dataclass(frozen=True)
class OriginRisk:
    """What the zones say of one record's origin at its arrival."""

    area_name: str
    risk: AreaRisk | None

    @property
    def level(self) -> str:
        return ZONE_LEVEL[self.risk.tier] if self.risk else ""


def _level_label(level: str) -> str:
    if level == "high":
        return pgettext("risk level", "high")
    if level == "medium":
        return pgettext("risk level", "medium")
    return pgettext("risk level", "none")


def _by_name(texts: list[str]) -> dict[str, Area]:
    """Origins that name one of our areas outright (漳州市芗城区, 芗城区): the
    deepest area whose full name the text holds, when only one of that level does."""
    areas = list(Area.objects.exclude(level=AreaLevel.GRID).only("name", "path", "level", "code"))
    out: dict[str, Area] = {}
    for text in texts:
        named = [a for a in areas if a.name and a.name in text]
        if not named:
            continue
        depth = max(a.path.count("/") for a in named)
        deepest = [a for a in named if a.path.count("/") == depth]
        if len(deepest) == 1:
            out[text] = deepest[0]
    return out


def resolve_origins(origins: Sequence[str]) -> dict[str, Area]:
    """Each distinct origin that names an area of our tree: a code (current or
    former), a village or township the engine's gazetteer finds, or the name
    of one of our areas (the city, a county)."""
    distinct = sorted({o.strip() for o in origins if o and o.strip()})
    out: dict[str, Area] = {}
    names = []
    for text in distinct:
        if text.isdigit():
            area = codes.resolve(text)
            if area is not None:
                out[text] = area
        else:
            names.append(text)
    if not names:
        return out
    named = _by_name(names)
    if not named:
        return out  # no name of ours in any origin: the gazetteer would find nothing
    # The linkage engine loads Splink (seconds): only when an origin may be ours.
    from zhanyi.engine.linkage.address import Gazetteer

    gazetteer = Gazetteer(linkage.areas_frame(), linkage.places_frame())
    wanted: dict[str, str] = {}
    for row in gazetteer.resolve(names).iter_rows(named=True):
        code = row["village_code"] or row["township_code"]
        if code:
            wanted[row["address"]] = code
    by_code = {a.code: a for a in Area.objects.filter(code__in=set(wanted.values()))}
    for text in names:
        found = by_code.get(wanted.get(text, ""))
        if found is not None:
            out[text] = found
        elif text in named:
            out[text] = named[text]
    return out


def origin_risks(
    origins: Sequence[str], arrivals: Sequence[dt.datetime]
) -> list[OriginRisk | None]:
    """For each record (its origin, its arrival), what the zones in force
    over the origin said at the arrival; ``None`` for an origin outside our tree."""
    areas = resolve_origins(origins)
    keys = [(o or "").strip() for o in origins]
    by_time: dict[dt.datetime, set[str]] = defaultdict(set)
    for text, at in zip(keys, arrivals, strict=True):
        if text in areas:
            by_time[at].add(areas[text].path)
    answers = {at: risk_of_paths(paths, at) for at, paths in by_time.items()}
    return [
        OriginRisk(areas[text].name, answers[at][areas[text].path]) if text in areas else None
        for text, at in zip(keys, arrivals, strict=True)
    ]


def weigh(listed: str, origin: OriginRisk | None) -> tuple[str, str | None]:
    """The record's risk level and, when the list and the zones disagree, the
    warning that says both."""
    if origin is None:
        return listed, None
    if not listed:
        return origin.level, None
    if listed == origin.level:
        return listed, None
    zone = (
        _("%(tier)s %(zone)s") % {"tier": origin.risk.label, "zone": origin.risk.zone_name}
        if origin.risk
        else _("no zone")
    )
    message = _(
        "the list says %(listed)s, the zones in force over %(area)s at arrival say "
        "%(level)s (%(zone)s); the list's is kept."
    ) % {
        "listed": _level_label(listed),
        "area": origin.area_name,
        "level": _level_label(origin.level),
        "zone": zone,
    }
    return listed, f"{FIELDS['risk_level']}: {message}"
