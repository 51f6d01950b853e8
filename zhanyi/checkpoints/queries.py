"""Reads of the checkpoints app, each with its access check: stations, checks,
the tallies by station, kind and day, and the vessels."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from zhanyi.accounts.roles import has_capability
from zhanyi.checkpoints.metrics import TALLY
from zhanyi.checkpoints.models import Check, CrewCheck, Patrol, Station, StationKind, Vessel
from zhanyi.core import jurisdiction


def require_view(user) -> None:
    if not has_capability(user, "view_person") or jurisdiction.root_path(user) is None:
        raise PermissionDenied("requires view_person and a jurisdiction")


def stations_for(user) -> QuerySet[Station]:
    require_view(user)
    return jurisdiction.scope(Station.objects.select_related("area"), user, "area__path")


def get_station_for_user(user, station_id: int) -> Station:
    """A station in the user's jurisdiction: 403 without the right, 404 outside it."""
    try:
        return stations_for(user).get(pk=station_id)
    except Station.DoesNotExist:
        raise Http404("no such checkpoint") from None


def my_stations(user) -> list[Station]:
    """The active stations the user may record at, those of their shift now first."""
    now = timezone.now()
    stations = list(stations_for(user).filter(active=True)[:500])
    on_shift = set(
        Station.objects.filter(
            shifts__staff=user, shifts__starts_at__lte=now, shifts__ends_at__gt=now
        ).values_list("pk", flat=True)
    )
    return sorted(stations, key=lambda s: (s.pk not in on_shift, s.name))


def checks_for(user) -> QuerySet[Check]:
    require_view(user)
    return jurisdiction.scope(
        Check.objects.select_related("station", "origin_area", "destination_area"),
        user,
        "station__area__path",
    )


def get_check_for_user(user, check_id: int) -> Check:
    try:
        return checks_for(user).get(pk=check_id)
    except Check.DoesNotExist:
        raise Http404("no such check") from None


def day_table(
    user,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    station: Station | None = None,
    by: str = "station",
) -> list[dict]:
    """Checks counted (``metrics.TALLY``) by day and by station or by kind,
    newest day first."""
    checks = checks_for(user).order_by()
    if since:
        checks = checks.filter(day__gte=since)
    if until:
        checks = checks.filter(day__lte=until)
    if station is not None:
        checks = checks.filter(station=station)
    group = ("day", "station_id", "station__name") if by == "station" else ("day", "station__kind")
    rows = list(checks.values(*group).annotate(**TALLY).order_by("-day", *group[1:]))
    kinds = dict(StationKind.choices)
    for row in rows:
        if by == "kind":
            row["kind_label"] = str(kinds.get(row["station__kind"], row["station__kind"]))
    return rows


def vessels_for(user) -> QuerySet[Vessel]:
    require_view(user)
    return jurisdiction.scope(
        Vessel.objects.select_related("home_port"), user, "home_port__area__path"
    )


def get_vessel_for_user(user, vessel_id: int) -> Vessel:
    try:
        return vessels_for(user).get(pk=vessel_id)
    except Vessel.DoesNotExist:
        raise Http404("no such vessel") from None


def crew_checks_for(user) -> QuerySet[CrewCheck]:
    """Crew health checks at the ports of the user's jurisdiction, newest first."""
    require_view(user)
    qs = CrewCheck.objects.select_related("vessel", "port").order_by("-at", "-id")
    return jurisdiction.scope(qs, user, "port__area__path")


def patrols_for(user) -> QuerySet[Patrol]:
    """Patrols from the ports of the user's jurisdiction, newest first."""
    require_view(user)
    qs = Patrol.objects.select_related("port").order_by("-started_at", "-id")
    return jurisdiction.scope(qs, user, "port__area__path")


def ports_for(user) -> QuerySet[Station]:
    return stations_for(user).filter(kind=StationKind.PORT)
