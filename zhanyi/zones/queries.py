"""Reads of the zones app, each with its access check.

A user sees the zones touching their jurisdiction: a zone whose responsible
area or any extent area lies inside it, or a zone over an area holding it
(the city's controlled zone covers a county's staff).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from zhanyi.accounts.roles import has_capability
from zhanyi.core import jurisdiction
from zhanyi.engine.zones import LiftingCheck
from zhanyi.places.risk import STRENGTH
from zhanyi.zones.actions.common import residents
from zhanyi.zones.lifting import lifting_check
from zhanyi.zones.models import Zone, ZoneState


def require_view(user) -> None:
    if not has_capability(user, "view_person") or jurisdiction.root_path(user) is None:
        raise PermissionDenied("requires view_person and a jurisdiction")


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def visible(queryset: QuerySet[Zone], root: str) -> QuerySet[Zone]:
    """``queryset`` restricted to zones touching the area at ``root``."""
    if root == "":
        return queryset
    touching = (
        Q(area__path__startswith=root)
        | Q(areas__path__startswith=root)
        | Q(areas__path__in=_ancestor_paths(root))
        | Q(places__area__path__startswith=root)
    )
    ids = Zone.objects.filter(touching).values("pk")
    return queryset.filter(pk__in=ids)


def zones_for(user) -> QuerySet[Zone]:
    """Zones the user may see, strongest tier first."""
    require_view(user)
    root = jurisdiction.root_path(user)
    assert root is not None
    qs = Zone.objects.select_related("area").prefetch_related("areas", "places")
    return visible(qs, root)


def get_zone_for_user(user, zone_id: int) -> Zone:
    """A zone the user may see: 403 without the right, 404 otherwise."""
    try:
        return zones_for(user).get(pk=zone_id)
    except Zone.DoesNotExist:
        raise Http404("no such zone") from None


@dataclass
class ZoneRow:
    """A zone as the lists show it: with its people and its countdown."""

    zone: Zone
    people: int
    check: LiftingCheck | None


def rows(zones, now: dt.datetime) -> list[ZoneRow]:
    """Each zone with the people living in it and, when in force, its
    countdown (without the residents' tests: the page stays quick)."""
    out = []
    for zone in zones:
        check = (
            lifting_check(zone, now, with_round=False) if zone.state == ZoneState.IN_FORCE else None
        )
        out.append(ZoneRow(zone, residents(zone).count(), check))
    out.sort(key=lambda r: (r.zone.state != ZoneState.IN_FORCE, -STRENGTH[r.zone.tier]))
    return out
