"""Stations (交通查验站) and their shifts: set up by the command or an admin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhanyi.accounts.models import User
from zhanyi.checkpoints.models import Shift, Station, StationKind
from zhanyi.core import audit
from zhanyi.core.jurisdiction import can_see_area
from zhanyi.places.models import Area

from .common import check_lengths, require


@transaction.atomic
def do_create_station(
    *,
    acting_user,
    name: str,
    kind: str,
    area: Area,
    location: str = "",
    lon: float | None = None,
    lat: float | None = None,
    request=None,
) -> Station:
    """A new station of a kind in an area (its county sees its checks)."""
    require(acting_user, "edit_operations", area)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Name the checkpoint.")})
    if kind not in StationKind.values:
        raise ValidationError({"kind": _("Unknown kind of checkpoint: %(kind)s.") % {"kind": kind}})
    check_lengths(Station, name=name, location=location)
    if (lon is None) != (lat is None) or (
        lon is not None and lat is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90)
    ):
        raise ValidationError(
            {"lon": _("Not a place on the map: %(lon)s, %(lat)s.") % {"lon": lon, "lat": lat}}
        )
    if Station.objects.filter(area=area, name=name).exists():
        raise ValidationError(
            {
                "name": _("%(area)s has a checkpoint named %(name)s already.")
                % {"area": area.name, "name": name}
            }
        )
    station = Station.objects.create(
        name=name, kind=kind, area=area, location=location.strip(), lon=lon, lat=lat
    )
    audit.record(
        actor=acting_user,
        action="checkpoints.station.create",
        obj=station,
        area=area,
        detail={"name": name, "kind": kind, "area": area.code},
        request=request,
    )
    return station


@transaction.atomic
def do_set_station_active(station: Station, active: bool, *, acting_user, request=None) -> Station:
    """Open or close a station (a closed one takes no checks)."""
    require(acting_user, "edit_operations", station.area)
    if station.active != active:
        station.active = active
        station.save(update_fields=["active"])
        audit.record(
            actor=acting_user,
            action="checkpoints.station.open" if active else "checkpoints.station.close",
            obj=station,
            area=station.area,
            detail={"active": active},
            request=request,
        )
    return station


@transaction.atomic
def do_add_shift(
    station: Station,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    staff: Sequence[User],
    acting_user,
    request=None,
) -> Shift:
    """A shift at a station with the staff on it; each must work where the station is."""
    require(acting_user, "edit_operations", station.area)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A shift ends after it starts.")})
    if ends_at - starts_at > dt.timedelta(hours=24):
        raise ValidationError({"ends_at": _("A shift lasts at most 24 hours.")})
    if not staff:
        raise ValidationError({"staff": _("Name the staff on the shift.")})
    away = [u.username for u in staff if not can_see_area(u, station.area)]
    if away:
        raise ValidationError(
            {
                "staff": _("Not working where %(station)s is: %(users)s.")
                % {"station": station.name, "users": ", ".join(away)}
            }
        )
    shift = Shift.objects.create(station=station, starts_at=starts_at, ends_at=ends_at)
    shift.staff.set(staff)
    audit.record(
        actor=acting_user,
        action="checkpoints.shift.add",
        obj=shift,
        area=station.area,
        detail={
            "station": station.pk,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "staff": [u.username for u in staff],
        },
        request=request,
    )
    return shift
