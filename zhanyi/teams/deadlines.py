"""Deadlines of the village teams, for the supervision ledger: a new contact
under the village team's control within 2 h (先管后筛,
``deadlines.control_hours``), owned by community control.

A pharmacy's buyer visited by the village team is a control hand-off too, but
its deadline is the clinics' ``clinics.buyer_visit`` (its own hours, the item
naming the pharmacy): it is left out here so that the ledger lists it once."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.core.deadlines import Item, deadline, window_start
from zhanyi.core.masking import mask_name
from zhanyi.core.metrics import area_filter
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus
from zhanyi.places.models import Area

#: The origin of a pharmacy buyer's hand-offs (``clinics.report:<pk>``).
PHARMACY_BUYER = "clinics.report:"


@deadline(
    "teams.control",
    gettext_lazy("Contact under control"),
    "deadlines.control_hours",
    owner="community",
)
def controls(area: Area | None, now: dt.datetime) -> list[Item]:
    """Open control hand-offs past their deadline, and those closed late lately."""
    late = (
        Handoff.objects.filter(kind=HandoffKind.CONTROL, **area_filter(area, "area__path"))
        .filter(
            Q(status=HandoffStatus.OPEN, due_at__lt=now)
            | Q(
                closed_at__gt=F("due_at"),
                closed_at__gte=window_start(now),
                closed_at__lte=now,
            )
        )
        .exclude(status=HandoffStatus.CANCELLED)
        .exclude(origin__startswith=PHARMACY_BUYER)
        .select_related("person", "area")
    )
    return [
        Item(
            deadline="teams.control",
            what=_("Put a contact under control"),
            whose=mask_name(h.person.name),
            area=h.area,
            due_at=h.due_at,
            closed_at=h.closed_at if h.status != HandoffStatus.OPEN else None,
            link=reverse("teams:control", args=[h.pk]),
        )
        for h in late
    ]
