"""Reads of the quarantine app, each with its access check: sites and rooms,
the queue, placements (seen by the jurisdiction of the person's area or of
the site), and the capacity against the protocol's targets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404

from zhanyi.accounts.roles import has_capability
from zhanyi.core import jurisdiction, metrics
from zhanyi.handoffs.models import Handoff
from zhanyi.places.models import Area, AreaLevel
from zhanyi.quarantine.actions.placements import queue_for
from zhanyi.quarantine.models import (
    Monitoring,
    Placement,
    Room,
    RoomState,
    Site,
    SiteState,
    Trip,
    TripState,
    TripStop,
)
from zhanyi.quarantine.rules import protocol


def require_view(user) -> None:
    if not has_capability(user, "view_person") or jurisdiction.root_path(user) is None:
        raise PermissionDenied("requires view_person and a jurisdiction")


def sites_for(user) -> QuerySet[Site]:
    """Sites in the user's jurisdiction, with their rooms counted by state."""
    require_view(user)
    qs = Site.objects.select_related("area").annotate(
        rooms_total=Count("rooms", distinct=True),
        rooms_vacant=Count("rooms", filter=Q(rooms__state=RoomState.VACANT), distinct=True),
        rooms_occupied=Count("rooms", filter=Q(rooms__state=RoomState.OCCUPIED), distinct=True),
        rooms_cleaning=Count("rooms", filter=Q(rooms__state=RoomState.CLEANING), distinct=True),
    )
    return jurisdiction.scope(qs, user, "area__path")


def get_site_for_user(user, site_id: int) -> Site:
    """A site in the user's jurisdiction: 403 without the right, 404 outside it."""
    try:
        return sites_for(user).get(pk=site_id)
    except Site.DoesNotExist:
        raise Http404("no such site") from None


def rooms_for(user) -> QuerySet[Room]:
    """Rooms of active sites: the planner places people across counties (own
    county, its twin, anywhere), so a desk may name any active site's room."""
    require_view(user)
    return Room.objects.select_related("site__area").filter(site__state=SiteState.ACTIVE)


def get_room_for_user(user, room_id: int) -> Room:
    try:
        return rooms_for(user).get(pk=room_id)
    except Room.DoesNotExist:
        raise Http404("no such room") from None


def queue(user) -> QuerySet[Handoff]:
    """Who waits to be placed, earliest deadline first (the 8-hour clock)."""
    require_view(user)
    return queue_for(user).select_related("person", "area")


def get_handoff_for_user(user, handoff_id: int) -> Handoff:
    try:
        return queue(user).get(pk=handoff_id)
    except Handoff.DoesNotExist:
        raise Http404("no such person waiting") from None


def placements_for(user) -> QuerySet[Placement]:
    """Placements whose person's area or site lies in the user's jurisdiction."""
    require_view(user)
    path = jurisdiction.root_path(user)
    qs = Placement.objects.select_related("person", "site", "room", "area")
    if path:
        qs = qs.filter(Q(area__path__startswith=path) | Q(site__area__path__startswith=path))
    return qs


def get_placement_for_user(user, placement_id: int) -> Placement:
    try:
        return placements_for(user).get(pk=placement_id)
    except Placement.DoesNotExist:
        raise Http404("no such placement") from None


def monitorings_for(user) -> QuerySet[Monitoring]:
    """Home quarantine and home health monitoring in the user's jurisdiction,
    ending soonest first, with their reports."""
    require_view(user)
    qs = Monitoring.objects.select_related("person", "area").prefetch_related("reports")
    return jurisdiction.scope(qs, user, "area__path")


def get_monitoring_for_user(user, monitoring_id: int) -> Monitoring:
    try:
        return monitorings_for(user).get(pk=monitoring_id)
    except Monitoring.DoesNotExist:
        raise Http404("no such monitoring") from None


def trips_for(user) -> QuerySet[Trip]:
    """Trips to the sites of the user's jurisdiction, in the vehicles' order,
    with how many people each carries, how many are picked up and the earliest
    time one of them is due in the site (``deliver_by``)."""
    require_view(user)
    qs = Trip.objects.select_related("vehicle", "vehicle__driver", "site").annotate(
        people=Count("stops"),
        picked=Count("stops", filter=Q(stops__picked_up_at__isnull=False)),
        deliver_by=Min("stops__placement__due_at"),
    )
    return jurisdiction.scope(qs, user, "site__area__path").order_by("vehicle__plate", "sequence")


def trips_board(user, now: dt.datetime) -> list[Trip]:
    """The transfer desk's live board: every trip not yet delivered, and those
    delivered in the last 12 hours; each says whether it is past its deadline
    (``late``: someone on it due in the site before now, or delivered after)."""
    recent = now - dt.timedelta(hours=12)
    trips = list(
        trips_for(user)
        .filter(~Q(state=TripState.DONE) | Q(delivered_at__gte=recent))
        .order_by("deliver_by", "vehicle__plate", "sequence")[:300]
    )
    for trip in trips:
        end = trip.delivered_at or now
        trip.late = trip.deliver_by is not None and trip.deliver_by < end
    return trips


def trips_for_driver(user) -> QuerySet[Trip]:
    """The trips of the vehicles the user drives, not yet delivered."""
    return (
        Trip.objects.filter(vehicle__driver=user)
        .exclude(state=TripState.DONE)
        .select_related("vehicle", "site")
        .prefetch_related("stops__placement__person__household")
        .order_by("sequence", "id")
    )


def get_trip_for_driver(user, trip_id: int) -> Trip:
    try:
        return trips_for_driver(user).get(pk=trip_id)
    except Trip.DoesNotExist:
        raise Http404("no such trip") from None


def get_stop_for_driver(user, stop_id: int) -> TripStop:
    try:
        return TripStop.objects.select_related("trip").get(
            pk=stop_id, trip__in=trips_for_driver(user)
        )
    except TripStop.DoesNotExist:
        raise Http404("no such stop") from None


def occupancy(site: Site) -> float:
    """Share of the site's rooms in service that are occupied, %."""
    total = site.rooms.exclude(state=RoomState.OUT_OF_SERVICE).count()
    if not total:
        return 0.0
    return round(100 * site.rooms.filter(state=RoomState.OCCUPIED).count() / total, 1)


@dataclass
class Capacity:
    """Rooms against the protocol's targets for an area (a county or the city)."""

    area: Area
    rooms: int  # in active sites
    reserve_rooms: int
    cases: int
    population: int
    per_case_target: int
    per_population_target: int

    @property
    def target(self) -> int:
        return max(self.per_case_target, self.per_population_target)

    @property
    def shortfall(self) -> int:
        return max(0, self.target - self.rooms)


def capacity(area: Area) -> Capacity:
    """Rooms kept: the protocol's rooms per case and per 10,000 residents."""
    rule = protocol().quarantine_sites
    rooms = Room.objects.filter(site__area__path__startswith=area.path).exclude(
        state=RoomState.OUT_OF_SERVICE
    )
    cases = 0
    if _has("tracing.cases"):  # the figure tracing owns (数出一门), when tracing is installed
        cases = int(metrics.compute(["tracing.cases"], area)[0]["value"] or 0)
    population = area.population
    return Capacity(
        area=area,
        rooms=rooms.filter(site__state=SiteState.ACTIVE).count(),
        reserve_rooms=rooms.filter(site__state=SiteState.RESERVE).count(),
        cases=cases,
        population=population,
        per_case_target=rule.rooms_per_case * cases,
        per_population_target=-(-rule.rooms_per_10000 * population // 10000),
    )


def _has(name: str) -> bool:
    return any(f.name == name for f in metrics.registered())


def capacities_for(user) -> list[Capacity]:
    """The city's (or the user's area's) capacity and each county's below it."""
    require_view(user)
    path = jurisdiction.root_path(user)
    areas = Area.objects.filter(level__in=[AreaLevel.CITY, AreaLevel.COUNTY])
    if path:
        areas = areas.filter(path__startswith=path)
    return [capacity(a) for a in areas.order_by("path")]
