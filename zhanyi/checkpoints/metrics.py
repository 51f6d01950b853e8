"""Figures of the checkpoints task force (数出一门): one definition each.

``TALLY`` is how checks are counted everywhere: the figures below (an area's
totals), the station page and the day table (by station, kind and day) all
aggregate with it, so the numbers agree wherever they are shown.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from zhanyi.checkpoints.models import Check, Outcome, Station, Vessel, VesselState
from zhanyi.core.metrics import area_filter, figure
from zhanyi.places.models import Area

_TURNED_BACK = Q(outcome=Outcome.TURN_BACK)

#: Vehicles (checks) and people checked, turned back, sent to testing and to quarantine.
TALLY = {
    "vehicles_checked": Count("id"),
    "people_checked": Coalesce(Sum("people"), 0),
    "vehicles_turned_back": Count("id", filter=_TURNED_BACK),
    "people_turned_back": Coalesce(Sum("people", filter=_TURNED_BACK), 0),
    "vehicles_tested": Count("id", filter=Q(outcome=Outcome.TESTING)),
    "vehicles_quarantine": Count("id", filter=Q(outcome=Outcome.QUARANTINE)),
}


def tally(checks: QuerySet[Check]) -> dict[str, int]:
    return checks.aggregate(**TALLY)


def _checks(area: Area | None) -> QuerySet[Check]:
    return Check.objects.filter(**area_filter(area, "station__area__path"))


@figure("checkpoints.stations", _("Traffic checkpoints open"), _("checkpoints"), order=80)
def stations(area: Area | None) -> int:
    return Station.objects.filter(active=True, **area_filter(area, "area__path")).count()


@figure(
    "checkpoints.vehicles_checked",
    _("Vehicles checked"),
    _("vehicles"),
    order=81,
    link="checkpoints:days",
)
def vehicles_checked(area: Area | None) -> int:
    return _checks(area).count()


@figure("checkpoints.people_checked", _("People checked at checkpoints"), _("people"), order=82)
def people_checked(area: Area | None) -> int:
    return tally(_checks(area))["people_checked"]


@figure("checkpoints.vehicles_turned_back", _("Vehicles turned back"), _("vehicles"), order=83)
def vehicles_turned_back(area: Area | None) -> int:
    return _checks(area).filter(_TURNED_BACK).count()


@figure("checkpoints.people_turned_back", _("People turned back"), _("people"), order=84)
def people_turned_back(area: Area | None) -> int:
    return tally(_checks(area))["people_turned_back"]


@figure(
    "checkpoints.vessels_overdue",
    _("Fishing vessels overdue"),
    _("vessels"),
    order=85,
    link="checkpoints:vessels",
)
def vessels_overdue(area: Area | None) -> int:
    return Vessel.objects.filter(
        state=VesselState.AT_SEA,
        overdue_since__isnull=False,
        **area_filter(area, "home_port__area__path"),
    ).count()
