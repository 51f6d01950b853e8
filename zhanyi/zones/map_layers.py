"""The zones on the command map (``zhanyi.places.map_layers``): each zone in
force drawn at the level it was declared, over the area boundaries: its areas
by their own boundaries (a community, a township, a county), its drawn
outline as drawn, and each place (a sealed compound) as a point. Weaker tiers
first, so a stronger zone is drawn over them."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from zhanyi.places.map_layers import layer, point
from zhanyi.places.models import Area
from zhanyi.places.risk import STRENGTH
from zhanyi.zones.models import Zone
from zhanyi.zones.queries import visible
from zhanyi.zones.risk_tiers import in_force_at


def _properties(zone: Zone, level: str, name: str) -> dict:
    return {
        "zone_id": zone.pk,
        "zone": zone.name,
        "tier": zone.tier,
        "tier_label": str(zone.get_tier_display()),
        "level": level,
        "name": name,
        "since": zone.starts_at.isoformat() if zone.starts_at else None,
    }


@layer("zones", _("Risk zones"), order=10)
def zones(area: Area | None, now: dt.datetime, named: bool) -> list[dict]:
    in_force = visible(Zone.objects.filter(in_force_at(now)), area.path if area else "")
    in_force = in_force.prefetch_related("areas", "places")
    features: list[dict] = []
    for zone in sorted(in_force, key=lambda z: (STRENGTH[z.tier], z.pk)):
        if zone.polygon:
            features.append(
                {
                    "type": "Feature",
                    "geometry": zone.polygon,
                    "properties": _properties(zone, "outline", zone.name),
                }
            )
        for a in zone.areas.all():
            if a.boundary:
                features.append(
                    {
                        "type": "Feature",
                        "geometry": a.boundary,
                        "properties": _properties(zone, a.level, a.name),
                    }
                )
            elif a.lon is not None and a.lat is not None:
                features.append(point(a.lon, a.lat, **_properties(zone, a.level, a.name)))
        if zone.polygon:
            continue  # the places inside the outline are drawn by it
        for p in zone.places.all():
            if p.lon is not None and p.lat is not None:
                features.append(point(p.lon, p.lat, **_properties(zone, "place", p.name)))
    return features
