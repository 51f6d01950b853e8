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
from zhanyi.core import metrics

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


@metrics.tally(
    "checkpoints.stations",
    _("Traffic checkpoints open"),
    _("checkpoints"),
    order=80,
    area="area",
)
def stations():
    return Station.objects.filter(active=True)


@metrics.tally(
    "checkpoints.vehicles_checked",
    _("Vehicles checked"),
    _("vehicles"),
    order=81,
    link="checkpoints:days",
    area="station__area",
)
def vehicles_checked():
    return Check.objects.all()


# The people's sums are TALLY's (``Coalesce(Sum("people"), 0)``, with the
# turned-back filter for those turned back): a sum of no checks is 0.
@metrics.tally(
    "checkpoints.people_checked",
    _("People checked at checkpoints"),
    _("people"),
    order=82,
    area="station__area",
    total=lambda: Sum("people"),
)
def people_checked():
    return Check.objects.all()


@metrics.tally(
    "checkpoints.vehicles_turned_back",
    _("Vehicles turned back"),
    _("vehicles"),
    order=83,
    area="station__area",
)
def vehicles_turned_back():
    return Check.objects.filter(_TURNED_BACK)


@metrics.tally(
    "checkpoints.people_turned_back",
    _("People turned back"),
    _("people"),
    order=84,
    area="station__area",
    total=lambda: Sum("people"),
)
def people_turned_back():
    return Check.objects.filter(_TURNED_BACK)


@metrics.tally(
    "checkpoints.vessels_overdue",
    _("Fishing vessels overdue"),
    _("vessels"),
    order=85,
    link="checkpoints:vessels",
    area="home_port__area",
)
def vessels_overdue():
    return Vessel.objects.filter(state=VesselState.AT_SEA, overdue_since__isnull=False)
