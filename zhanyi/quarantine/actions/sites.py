"""Sites and rooms (集中隔离点): creating them, the three-zones-two-passages
check, room states, activating a reserve site, and the county twinning."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.places.models import Area, AreaLevel
from zhanyi.quarantine.models import (
    ACTIVE_STATES,
    ZONE_ITEMS,
    Placement,
    Room,
    RoomState,
    Site,
    SiteKind,
    SiteState,
    Twinning,
)

from .common import require


@transaction.atomic
def do_create_site(
    *,
    acting_user,
    name: str,
    area: Area,
    lon: float,
    lat: float,
    kind: str = SiteKind.HOTEL,
    state: str = SiteState.ACTIVE,
    address: str = "",
    staff_on_duty: int = 0,
    request=None,
) -> Site:
    """A new site; an active one is activated at once, a reserve one waits for
    a person with the right to activate it."""
    require(acting_user, "edit_operations", area)
    if kind not in SiteKind.values:
        raise ValidationError({"kind": _("Unknown kind of site: %(kind)s.") % {"kind": kind}})
    if state not in (SiteState.ACTIVE, SiteState.RESERVE):
        raise ValidationError({"state": _("A new site is active or in reserve.")})
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError(
            {"lon": _("Not a place on the map: %(lon)s, %(lat)s.") % {"lon": lon, "lat": lat}}
        )
    site = Site.objects.create(
        name=name,
        area=area,
        lon=lon,
        lat=lat,
        kind=kind,
        state=state,
        address=address,
        staff_on_duty=staff_on_duty,
        activated_at=timezone.now() if state == SiteState.ACTIVE else None,
    )
    audit.record(
        actor=acting_user,
        action="quarantine.site.create",
        obj=site,
        area=area,
        detail={"name": name, "kind": kind, "state": state, "area": area.code},
        request=request,
    )
    return site


@transaction.atomic
def do_add_rooms(
    site: Site, numbers: list[str], *, capacity: int = 1, acting_user, request=None
) -> list[Room]:
    """Rooms of one capacity (1, or 2–4 for a family room) added to a site."""
    require(acting_user, "edit_operations", site.area)
    if not 1 <= capacity <= 4:
        raise ValidationError({"capacity": _("A room takes 1 person, or 2 to 4 as a family room.")})
    numbers = [n.strip() for n in numbers if n.strip()]
    if not numbers:
        raise ValidationError({"numbers": _("Name at least one room.")})
    taken = set(Room.objects.filter(site=site, number__in=numbers).values_list("number", flat=True))
    if taken or len(set(numbers)) != len(numbers):
        repeated = sorted(taken | {n for n in numbers if numbers.count(n) > 1})
        raise ValidationError(
            {
                "numbers": _("Rooms already in %(site)s: %(rooms)s.")
                % {"site": site.name, "rooms": ", ".join(repeated)}
            }
        )
    rooms = Room.objects.bulk_create(
        [Room(site=site, number=n, capacity=capacity) for n in numbers]
    )
    audit.record(
        actor=acting_user,
        action="quarantine.rooms.add",
        obj=site,
        area=site.area,
        detail={
            "rooms": len(rooms),
            "capacity": capacity,
            "first": numbers[0],
            "last": numbers[-1],
        },
        request=request,
    )
    return rooms


#: Room states a desk may set by hand, from which states.
ROOM_MOVES: dict[str, tuple[str, ...]] = {
    RoomState.VACANT: (RoomState.CLEANING, RoomState.OUT_OF_SERVICE),
    RoomState.CLEANING: (RoomState.OCCUPIED, RoomState.VACANT),
    RoomState.OUT_OF_SERVICE: (RoomState.VACANT, RoomState.CLEANING),
}


@transaction.atomic
def do_set_room_state(room: Room, state: str, *, acting_user, request=None) -> Room:
    """A room cleaned (cleaning → vacant), taken out of service or back. An
    occupied room changes only through its placements."""
    require(acting_user, "edit_operations", check_area=False)
    room = Room.objects.select_for_update().select_related("site__area").get(pk=room.pk)
    require(acting_user, "edit_operations", room.site.area)
    allowed = ROOM_MOVES.get(state)
    if allowed is None or room.state not in allowed:
        raise ValidationError(
            {
                "state": _("Room %(room)s cannot go from %(old)s to %(new)s.")
                % {
                    "room": room.number,
                    "old": room.get_state_display(),
                    "new": RoomState(state).label if state in RoomState.values else state,
                }
            }
        )
    if Placement.objects.filter(room=room, state__in=ACTIVE_STATES).exists():
        raise ValidationError(
            {"state": _("Room %(room)s has people in it.") % {"room": room.number}}
        )
    old = room.state
    room.state = state
    room.save(update_fields=["state"])
    audit.record(
        actor=acting_user,
        action="quarantine.room.state",
        obj=room,
        area=room.site.area,
        detail={"old": old, "new": state},
        request=request,
    )
    return room


@transaction.atomic
def do_check_zones(
    site: Site,
    checklist: dict[str, bool],
    *,
    acting_user,
    now: dt.datetime | None = None,
    request=None,
) -> Site:
    """The three-zones-two-passages check (三区两通道) of a site, by whom and when."""
    require(acting_user, "edit_operations", site.area)
    unknown = sorted(set(checklist) - set(ZONE_ITEMS))
    if unknown:
        raise ValidationError(
            {"checklist": _("Unknown checklist items: %(items)s.") % {"items": ", ".join(unknown)}}
        )
    old = dict(site.zones_checklist)
    site.zones_checklist = {item: bool(checklist.get(item)) for item in ZONE_ITEMS}
    site.zones_checked_at = now or timezone.now()
    site.zones_checked_by_name = actor_name(acting_user)
    site.save(update_fields=["zones_checklist", "zones_checked_at", "zones_checked_by_name"])
    audit.record(
        actor=acting_user,
        action="quarantine.site.zones",
        obj=site,
        area=site.area,
        detail={"old": old, "new": site.zones_checklist},
        request=request,
    )
    return site


@transaction.atomic
def do_activate_site(
    site: Site, *, acting_user, now: dt.datetime | None = None, request=None
) -> Site:
    """A reserve site (储备隔离点) put into service: a headquarters decision
    (``approve``), and only once its three zones and two passages are checked."""
    site = Site.objects.select_for_update().select_related("area").get(pk=site.pk)
    require(acting_user, "approve", site.area)
    if site.state != SiteState.RESERVE:
        raise ValidationError(
            {
                "state": _("Site %(site)s is not in reserve: it is %(state)s.")
                % {"site": site.name, "state": site.get_state_display()}
            }
        )
    if not site.zones_complete:
        raise ValidationError(
            {
                "state": _(
                    "Site %(site)s cannot open before its three zones and two passages are checked."
                )
                % {"site": site.name}
            }
        )
    site.state = SiteState.ACTIVE
    site.activated_at = now or timezone.now()
    site.save(update_fields=["state", "activated_at"])
    audit.record(
        actor=acting_user,
        action="quarantine.site.activate",
        obj=site,
        area=site.area,
        detail={"old": SiteState.RESERVE, "new": SiteState.ACTIVE},
        request=request,
    )
    return site


@transaction.atomic
def do_set_twin(county: Area, twin: Area, *, acting_user, request=None) -> Twinning:
    """The county whose sites take ``county``'s people when its own are full (结对)."""
    require(acting_user, "approve", county)
    if county.level != AreaLevel.COUNTY or twin.level != AreaLevel.COUNTY or county == twin:
        raise ValidationError({"twin": _("Twinning pairs two different counties.")})
    twinning, _created = Twinning.objects.update_or_create(county=county, defaults={"twin": twin})
    audit.record(
        actor=acting_user,
        action="quarantine.twinning",
        obj=twinning,
        area=county,
        detail={"county": county.code, "twin": twin.code},
        request=request,
    )
    return twinning
