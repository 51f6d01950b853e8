"""Transfer (转运): vehicles, trips planned by OR-Tools routing per site
(``zhanyi.engine.allocation.trips``), and the driver's steps: picked up, delivered."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.engine.allocation.trips import Stop, TripRules, plan_trips
from zhanyi.places.models import Area
from zhanyi.quarantine import planning
from zhanyi.quarantine.models import (
    Placement,
    PlacementState,
    Site,
    Trip,
    TripState,
    TripStop,
    Vehicle,
)

from .common import actor_path, require


@transaction.atomic
def do_add_vehicle(
    *,
    plate: str,
    seats: int,
    area: Area,
    lon: float,
    lat: float,
    driver=None,
    acting_user,
    request=None,
) -> Vehicle:
    require(acting_user, "edit_operations", area)
    if not 1 <= seats <= 60:
        raise ValidationError({"seats": _("A vehicle has 1 to 60 seats.")})
    if Vehicle.objects.filter(plate=plate).exists():
        raise ValidationError({"plate": _("Vehicle %(plate)s exists already.") % {"plate": plate}})
    vehicle = Vehicle.objects.create(
        plate=plate, seats=seats, area=area, lon=lon, lat=lat, driver=driver
    )
    audit.record(
        actor=acting_user,
        action="quarantine.vehicle.add",
        obj=vehicle,
        area=area,
        detail={"plate": plate, "seats": seats, "driver": getattr(driver, "pk", None)},
        request=request,
    )
    return vehicle


@transaction.atomic
def do_plan_trips(*, acting_user, now: dt.datetime | None = None, request=None) -> list[Trip]:
    """Trips for everyone placed in the user's jurisdiction and not yet on a trip:
    per site, pick-up rounds within the vehicles' seats (households together),
    given to the vehicles of the jurisdiction, longest round first."""
    require(acting_user, "edit_operations", check_area=False)
    now = now or timezone.now()
    path = actor_path(acting_user) or ""
    vehicles = list(Vehicle.objects.filter(area__path__startswith=path).order_by("plate"))
    if not vehicles:
        raise ValidationError({"vehicle": _("No vehicle to plan trips with.")})
    waiting = list(
        Placement.objects.select_for_update(of=("self",))
        .filter(state=PlacementState.PLACED, trip_stop__isnull=True, area__path__startswith=path)
        .select_related("person__household__place", "person__village", "area", "handoff", "site")
        .order_by("due_at", "id")
    )
    groups: dict[tuple[int, str], list[Placement]] = defaultdict(list)
    for p in waiting:
        key = f"h{p.person.household_id}" if p.person.household_id else f"p{p.person_id}"
        groups[(p.site_id, key)].append(p)
    stops: dict[int, list[Stop]] = defaultdict(list)
    for (site_id, key), members in groups.items():
        lon, lat = _pick_up(members[0])
        stops[site_id].append(Stop(key, len(members), lon, lat))
    sites = {s.pk: (s.lon, s.lat) for s in Site.objects.filter(pk__in=stops)}
    seats = min(v.seats for v in vehicles)
    planned = plan_trips(sites, stops, TripRules(seats=seats, vehicles=len(vehicles)))
    made: list[Trip] = []
    count: dict[int, int] = defaultdict(int)
    for t in planned:
        vehicle = vehicles[t.vehicle]
        count[vehicle.pk] += 1
        trip = Trip.objects.create(
            vehicle=vehicle,
            site_id=t.site_id,
            sequence=count[vehicle.pk],
            planned_hours=round(t.end_h, 2),
        )
        for order, key in enumerate(t.stops, start=1):
            TripStop.objects.bulk_create(
                [TripStop(trip=trip, order=order, placement=p) for p in groups[(t.site_id, key)]]
            )
        made.append(trip)
    audit.record(
        actor=acting_user,
        action="quarantine.trips.plan",
        object_type="quarantine.trip",
        detail={
            "trips": len(made),
            "people": len(waiting),
            "latest_h": max((t.end_h for t in planned), default=0),
        },
        request=request,
    )
    return made


def _pick_up(placement: Placement) -> tuple[float, float]:
    """Where the person is picked up (as the planner saw it); the site's
    area when nothing better is known."""
    if placement.handoff is not None:
        lon, lat = planning.pick_up_point(placement.handoff)
        if lon == lon:  # not NaN
            return lon, lat
    area = placement.person.village or placement.area
    return float(area.lon or placement.site.lon), float(area.lat or placement.site.lat)


def _driver_trip(trip: Trip, acting_user) -> Trip:
    trip = Trip.objects.select_for_update().select_related("vehicle", "site__area").get(pk=trip.pk)
    driver = trip.vehicle.driver_id
    if driver is not None and getattr(acting_user, "pk", None) != driver:
        require(acting_user, "edit_operations", trip.site.area)
    return trip


@transaction.atomic
def do_pick_up(
    stop: TripStop, *, acting_user, now: dt.datetime | None = None, request=None
) -> TripStop:
    """The driver has picked this person up; the trip is under way."""
    now = now or timezone.now()
    stop = TripStop.objects.select_related("trip").get(pk=stop.pk)
    trip = _driver_trip(stop.trip, acting_user)
    if trip.state == TripState.DONE or stop.picked_up_at is not None:
        raise ValidationError({"stop": _("This person was picked up already.")})
    stop.picked_up_at = now
    stop.save(update_fields=["picked_up_at"])
    if trip.state == TripState.PLANNED:
        trip.state = TripState.UNDER_WAY
        trip.started_at = now
        trip.save(update_fields=["state", "started_at"])
    audit.record(
        actor=acting_user,
        action="quarantine.trip.pick_up",
        obj=trip,
        area=trip.site.area,
        detail={"placement": stop.placement_id},
        request=request,
    )
    return stop


@transaction.atomic
def do_deliver(trip: Trip, *, acting_user, now: dt.datetime | None = None, request=None) -> Trip:
    """The trip has reached its site with everyone it picked up."""
    now = now or timezone.now()
    trip = _driver_trip(trip, acting_user)
    if trip.state != TripState.UNDER_WAY:
        raise ValidationError({"trip": _("Only a trip under way is delivered.")})
    if trip.stops.filter(picked_up_at__isnull=True).exists():
        raise ValidationError({"trip": _("Somebody on this trip has not been picked up.")})
    trip.state = TripState.DONE
    trip.delivered_at = now
    trip.save(update_fields=["state", "delivered_at"])
    late = list(
        trip.stops.filter(placement__due_at__lt=now).values_list("placement__person_id", flat=True)
    )
    audit.record(
        actor=acting_user,
        action="quarantine.trip.deliver",
        obj=trip,
        area=trip.site.area,
        detail={"people": trip.stops.count(), "past_deadline": late},
        request=request,
    )
    return trip
