"""Figures of the quarantine task force (数出一门): one definition each."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import aggregate_in, area_filter, figure, for_areas, tally
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus
from zhanyi.places.models import Area
from zhanyi.quarantine.models import (
    ACTIVE_STATES,
    Placement,
    PlacementState,
    Room,
    RoomState,
    Site,
    SiteState,
)
from zhanyi.quarantine.rules import protocol


@tally("quarantine.sites", _("Active quarantine sites"), _("sites"), order=70, area="area")
def sites():
    return Site.objects.filter(state=SiteState.ACTIVE)


@tally("quarantine.rooms_vacant", _("Vacant rooms"), _("rooms"), order=71, area="site__area")
def rooms_vacant():
    return Room.objects.filter(site__state=SiteState.ACTIVE, state=RoomState.VACANT)


@figure("quarantine.occupancy", _("Room occupancy of active sites"), "%", order=72)
def occupancy(area: Area | None) -> float:
    rooms = Room.objects.filter(
        site__state=SiteState.ACTIVE, **area_filter(area, "site__area__path")
    )
    total = rooms.exclude(state=RoomState.OUT_OF_SERVICE).count()
    if not total:
        return 0.0
    return round(100 * rooms.filter(state=RoomState.OCCUPIED).count() / total, 1)


def waiting_handoffs(area: Area | None):
    """Open transfer hand-offs of people not placed yet (the figures and the
    supervision ledger's placement deadline read these)."""
    held = Placement.objects.filter(state=PlacementState.PLACED).values("person_id")
    return Handoff.objects.filter(
        kind=HandoffKind.TRANSFER, status=HandoffStatus.OPEN, **area_filter(area, "area__path")
    ).exclude(person_id__in=held)


@figure("quarantine.waiting", _("People waiting to be placed"), _("people"), order=73)
def waiting(area: Area | None) -> int:
    return waiting_handoffs(area).values("person_id").distinct().count()


@for_areas("quarantine.waiting")
def waiting_in(areas) -> list[int]:
    return _people_in(waiting_handoffs(None), areas)


@figure(
    "quarantine.overdue",
    _("People past the 8-hour deadline, not yet placed"),
    _("people"),
    order=77,
    link="quarantine:home",
)
def overdue(area: Area | None) -> int:
    """Issue 17: those waiting past their deadline, for supervision to chase."""
    return (
        waiting_handoffs(area)
        .filter(due_at__lt=timezone.now())
        .values("person_id")
        .distinct()
        .count()
    )


@for_areas("quarantine.overdue")
def overdue_in(areas) -> list[int]:
    return _people_in(waiting_handoffs(None).filter(due_at__lt=timezone.now()), areas)


def _people_in(handoffs, areas) -> list[int]:
    """The distinct persons of ``handoffs`` in each of ``areas`` (``metrics.aggregate_in``)."""
    counts = aggregate_in(handoffs, "area", areas, n=Count("person_id", distinct=True))
    return [c["n"] for c in counts]


@figure("quarantine.oldest_wait_hours", _("Longest wait to be placed"), _("hours"), order=74)
def oldest_wait_hours(area: Area | None) -> float:
    """Hours since the longest-waiting person was handed over for placement:
    since their hand-off's deadline less the protocol's transfer hours (the
    deadline runs from when the contact was found, which the hand-off's row
    may have been written after: an interview entered later, or the demo's
    replay of a story written today)."""
    first_due = waiting_handoffs(area).order_by("due_at").values_list("due_at", flat=True).first()
    if first_due is None:
        return 0.0
    since = first_due - dt.timedelta(hours=protocol().deadlines.transfer_hours)
    return round((timezone.now() - since).total_seconds() / 3600, 1)


@figure("quarantine.placed_within_deadline", _("Placed within 8 hours"), "%", order=75)
def placed_within_deadline(area: Area | None) -> float:
    placed = Placement.objects.filter(placed_at__isnull=False, **area_filter(area, "area__path"))
    total = placed.count()
    if not total:
        return 0.0
    return round(100 * placed.filter(placed_at__lte=F("due_at")).count() / total, 1)


@tally(
    "quarantine.in_quarantine",
    _("People in quarantine sites"),
    _("people"),
    order=76,
    area="area",
)
def in_quarantine():
    return Placement.objects.filter(state__in=ACTIVE_STATES[1:])
