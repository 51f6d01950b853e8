"""The quarantine sites on the command map (``zhanyi.places.map_layers``):
each site not closed, at its point, with its rooms in service and occupied."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from zhanyi.places.map_layers import layer, point
from zhanyi.places.models import Area
from zhanyi.quarantine.models import RoomState, Site, SiteState


@layer("quarantine_sites", _("Quarantine sites"), order=30)
def sites(area: Area | None, now: dt.datetime, named: bool) -> list[dict]:
    shown = Site.objects.exclude(state=SiteState.CLOSED).annotate(
        rooms_in_service=Count(
            "rooms", filter=~Q(rooms__state=RoomState.OUT_OF_SERVICE), distinct=True
        ),
        rooms_occupied=Count("rooms", filter=Q(rooms__state=RoomState.OCCUPIED), distinct=True),
    )
    if area is not None:
        shown = shown.filter(area__path__startswith=area.path)
    return [
        point(
            s.lon,
            s.lat,
            name=s.name,
            kind=s.kind,
            kind_label=str(s.get_kind_display()),
            state_label=str(s.get_state_display()),
            rooms=s.rooms_in_service,
            occupied=s.rooms_occupied,
            occupancy=round(100 * s.rooms_occupied / s.rooms_in_service, 1)
            if s.rooms_in_service
            else 0.0,
        )
        for s in shown.order_by("name", "pk")
    ]
