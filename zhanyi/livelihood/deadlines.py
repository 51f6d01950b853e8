"""Deadlines of supply assurance (保供), for the supervision ledger: a person
on the special-care list (特殊人群关爱) followed up at least every
``[livelihood] care_follow_up_days`` (the protocol's key; 1 day by default).

Each care carries its own due time, ``Care.next_follow_up_at``, which the
care actions set from that key (the first follow-up is due when the person is
added, each next one that many days after the last), so the deadline names no
key of hours. A follow-up closes the item and sets the next due time: the
ledger lists the cares whose follow-up is overdue now, as the app's own
figure ``livelihood.care_overdue`` counts them."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.core.deadlines import Item, deadline
from zhanyi.core.masking import mask_name
from zhanyi.core.metrics import area_filter
from zhanyi.places.models import Area

from .models import Care


@deadline("livelihood.care_follow_up", gettext_lazy("Special care follow-up"), owner="logistics")
def care_follow_ups(area: Area | None, now: dt.datetime) -> list[Item]:
    """Open cares whose next follow-up is past due."""
    late = (
        Care.objects.filter(**area_filter(area, "area__path"))
        .filter(closed_at=None, next_follow_up_at__lt=now, started_at__lte=now)
        .select_related("person", "area")
    )
    return [
        Item(
            deadline="livelihood.care_follow_up",
            what=_("Follow up: %(kind)s") % {"kind": care.get_kind_display()},
            whose=mask_name(care.person.name),
            area=care.area,
            due_at=care.next_follow_up_at,
            link=reverse("livelihood:care-detail", args=[care.pk]),
        )
        for care in late
    ]
