"""Deadlines of the quarantine task force (隔离), for the supervision ledger:
a close contact placed in a centralised quarantine site within 8 h
(``deadlines.transfer_hours``); the same people as ``quarantine.overdue``."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.core.deadlines import Item, deadline, window_start
from zhanyi.core.masking import mask_name
from zhanyi.core.metrics import area_filter
from zhanyi.places.models import Area
from zhanyi.quarantine.metrics import waiting_handoffs
from zhanyi.quarantine.models import Placement, PlacementState, TripState, TripStop


@deadline(
    "quarantine.placement",
    gettext_lazy("Placement in quarantine"),
    "deadlines.transfer_hours",
    owner="quarantine",
    nested=False,  # one item per person waiting, whichever of their areas is read
)
def placements(area: Area | None, now: dt.datetime) -> list[Item]:
    """People waiting past their deadline, and people placed late lately."""
    link = reverse("quarantine:home")
    items: list[Item] = []
    seen: set[int] = set()
    for handoff in (
        waiting_handoffs(area)
        .filter(due_at__lt=now)
        .select_related("person", "area")
        .order_by("due_at", "id")
    ):
        if handoff.person_id in seen:
            continue
        seen.add(handoff.person_id)
        items.append(
            Item(
                deadline="quarantine.placement",
                what=_("Place a contact in quarantine"),
                whose=mask_name(handoff.person.name),
                area=handoff.area,
                due_at=handoff.due_at,
                link=link,
            )
        )
    late = Placement.objects.filter(
        placed_at__gt=F("due_at"),
        placed_at__gte=window_start(now),
        placed_at__lte=now,
        **area_filter(area, "area__path"),
    ).select_related("person", "area")
    items.extend(
        Item(
            deadline="quarantine.placement",
            what=_("Place a contact in quarantine"),
            whose=mask_name(p.person.name),
            area=p.area,
            due_at=p.due_at,
            closed_at=p.placed_at,
            link=link,
        )
        for p in late
    )
    return items


@deadline(
    "quarantine.transfer",
    gettext_lazy("Transfer to the site"),
    "deadlines.transfer_hours",
    owner="quarantine",
)
def transfers(area: Area | None, now: dt.datetime) -> list[Item]:
    """People given a room but not yet brought to it past their deadline (their
    trip not delivered), and people delivered late lately: a room confirmed on
    paper is not a contact in quarantine (the article: every one *in* a room
    within 8 hours)."""
    link = reverse("quarantine:home")
    stops = TripStop.objects.filter(
        placement__state=PlacementState.PLACED, **area_filter(area, "placement__area__path")
    ).select_related("trip", "placement__person", "placement__area")
    waiting = stops.filter(placement__due_at__lt=now).exclude(trip__state=TripState.DONE)
    late = stops.filter(
        trip__state=TripState.DONE,
        trip__delivered_at__gt=F("placement__due_at"),
        trip__delivered_at__gte=window_start(now),
        trip__delivered_at__lte=now,
    )
    return [
        Item(
            deadline="quarantine.transfer",
            what=_("Bring a contact to the quarantine site"),
            whose=mask_name(stop.placement.person.name),
            area=stop.placement.area,
            due_at=stop.placement.due_at,
            closed_at=stop.trip.delivered_at if stop.trip.state == TripState.DONE else None,
            link=link,
        )
        for stop in [*waiting.order_by("placement__due_at", "id"), *late]
    ]
