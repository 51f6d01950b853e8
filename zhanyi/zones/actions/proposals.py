"""Zones proposed from the data (依据病例划定风险区域的建议).

The cases' homes and trajectory stops (``zhanyi.places.exposure_sites``) go
through the engine's rule (``zhanyi.engine.zones.propose_zones``) with the
protocol's ``[zones]`` extents; each proposed extent becomes a proposed zone,
which has no effect until approved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhanyi.engine.protocol import DEFAULT_PROTOCOL
from zhanyi.engine.zones import ProposedZone, propose_zones
from zhanyi.places.exposure_sites import case_locations
from zhanyi.places.models import Area, AreaLevel, Place
from zhanyi.places.risk import Tier
from zhanyi.zones.actions.common import actor_root, require
from zhanyi.zones.actions.zones import do_propose_zone
from zhanyi.zones.models import Zone, ZoneState
from zhanyi.zones.notices import NOTICE_LANGUAGE
from zhanyi.zones.rules import protocol as load_rules


@dataclass
class Proposals:
    """What a proposal run made, and the tiers it left out with why."""

    zones: list[Zone] = field(default_factory=list)
    existing: list[Zone] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _name(tier: str, areas: list[Area], places: list[Place]) -> str:
    names = [p.name for p in places] + [a.name for a in areas]
    shown = "、".join(names[:3])
    if len(names) > 3:
        shown = _("%(names)s and %(more)d more") % {"names": shown, "more": len(names) - 3}
    return f"{shown} {Tier(tier).label}"


def _source(proposal: ProposedZone) -> str:
    source = "cases:" + ",".join(str(c) for c in proposal.case_ids)
    return source if len(source) <= 255 else source[:250] + ",…"


def do_propose_from_cases(
    *,
    acting_user,
    now: dt.datetime | None = None,
    days: int | None = None,
    tiers: list[str] | None = None,
    protocol: str = DEFAULT_PROTOCOL,
    request=None,
) -> Proposals:
    """Propose a zone per tier around the cases reported within ``days``
    (the sealed tier's ``days_without_case`` by default). A tier already
    proposed or in force from the same cases is not proposed again; a tier
    reaching outside the actor's jurisdiction is left out, and said so."""
    require(acting_user, "edit_operations")
    now = now or timezone.now()
    rules = load_rules(protocol).zones
    days = days if days is not None else rules.sealed.days_without_case
    locations = case_locations(now - dt.timedelta(days=days), now)
    counties = {
        a.path: (a.lon, a.lat) if a.lon is not None and a.lat is not None else None
        for a in Area.objects.filter(level=AreaLevel.COUNTY)
    }
    out = Proposals()
    root = actor_root(acting_user) or ""
    for proposal in propose_zones(locations, rules, counties):
        if tiers is not None and proposal.tier not in tiers:
            continue
        source = _source(proposal)
        same = Zone.objects.filter(
            tier=proposal.tier,
            source=source,
            state__in=[ZoneState.PROPOSED, ZoneState.IN_FORCE],
        ).first()
        if same is not None:
            out.existing.append(same)
            continue
        areas = list(Area.objects.filter(path__in=proposal.area_paths))
        places = list(Place.objects.filter(pk__in=proposal.place_ids).select_related("area"))
        outside = [a.name for a in areas if not a.path.startswith(root)]
        outside += [p.name for p in places if not p.area.path.startswith(root)]
        if outside:
            out.skipped.append(
                _("%(tier)s not proposed: %(names)s lie outside your jurisdiction.")
                % {"tier": Tier(proposal.tier).label, "names": "、".join(outside)}
            )
            continue
        with translation.override(NOTICE_LANGUAGE):
            # The name and reason go into the public notice: in its language.
            name = _name(proposal.tier, areas, places)
            reason = _(
                "%(cases)d case(s) live in or passed through it (the protocol's rule for the tier)."
            ) % {"cases": len(proposal.case_ids)}
        out.zones.append(
            do_propose_zone(
                tier=proposal.tier,
                name=name,
                reason=reason,
                areas=areas,
                places=places,
                acting_user=acting_user,
                source=source,
                protocol=protocol,
                now=now,
                request=request,
            )
        )
    return out
