"""Deadlines of the fever clinics and pharmacies, for the supervision ledger:
a buyer of fever or cough medicine reported by a pharmacy is tested within
``[clinics] buyer_test_hours`` or visited by the village team within
``buyer_visit_hours`` of the report (the follow-up's hand-off carries that due
time); a clinic's staff member is tested in each window of their standing
schedule (the hand-off's rolling due time).

An item is open past its due time, or closed late within the ledger's window.
The work is done by testing (a test) or the village team (a visit): they own
the items; the report names the pharmacy.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.accounts.models import TaskForceKind
from zhanyi.core.deadlines import Item, deadline, window_start
from zhanyi.core.masking import mask_name
from zhanyi.core.metrics import area_filter
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus
from zhanyi.places.models import Area

from .models import BuyerReport, FollowUp


def _late(now: dt.datetime, prefix: str = "") -> Q:
    """Open past its due time, or done after it within the ledger's window."""
    return Q(**{f"{prefix}status": HandoffStatus.OPEN, f"{prefix}due_at__lt": now}) | Q(
        **{
            f"{prefix}status": HandoffStatus.DONE,
            f"{prefix}closed_at__gt": F(f"{prefix}due_at"),
            f"{prefix}closed_at__gte": window_start(now),
            f"{prefix}closed_at__lte": now,
        }
    )


def _reports(area: Area | None, now: dt.datetime, follow_up: str, name: str) -> list[Item]:
    reports = (
        BuyerReport.objects.filter(follow_up=follow_up, **area_filter(area, "area__path"))
        .filter(_late(now, "handoff__"))
        .select_related("person", "area", "pharmacy", "handoff")
    )
    link = reverse("clinics:pharmacies") + "?state=overdue"
    what = (
        _("Test of a buyer reported by %(pharmacy)s")
        if follow_up == FollowUp.TEST
        else _("Village-team visit to a buyer reported by %(pharmacy)s")
    )
    return [
        Item(
            deadline=name,
            what=what % {"pharmacy": r.pharmacy.name},
            whose=mask_name(r.person.name),
            area=r.area,
            due_at=r.handoff.due_at,
            closed_at=r.handoff.closed_at if r.handoff.status == HandoffStatus.DONE else None,
            link=link,
        )
        for r in reports
        if r.handoff is not None
    ]


@deadline(
    "clinics.buyer_test",
    gettext_lazy("Test of a pharmacy's reported buyer"),
    "clinics.buyer_test_hours",
    owner=TaskForceKind.TESTING,
)
def buyer_tests(area: Area | None, now: dt.datetime) -> list[Item]:
    return _reports(area, now, FollowUp.TEST, "clinics.buyer_test")


@deadline(
    "clinics.buyer_visit",
    gettext_lazy("Village-team visit to a pharmacy's reported buyer"),
    "clinics.buyer_visit_hours",
    owner=TaskForceKind.COMMUNITY,
)
def buyer_visits(area: Area | None, now: dt.datetime) -> list[Item]:
    return _reports(area, now, FollowUp.VISIT, "clinics.buyer_visit")


@deadline(
    "clinics.staff_test",
    gettext_lazy("Scheduled test of a fever clinic's staff member"),
    owner=TaskForceKind.TESTING,
)
def staff_tests(area: Area | None, now: dt.datetime) -> list[Item]:
    """Staff whose current scheduled test is past its window (a rolling due time)."""
    late = Handoff.objects.filter(
        kind=HandoffKind.TEST,
        status=HandoffStatus.OPEN,
        origin__startswith="clinics.staff:",
        due_at__lt=now,
        **area_filter(area, "area__path"),
    ).select_related("person", "area")
    return [
        Item(
            deadline="clinics.staff_test",
            what=_("Scheduled test of staff at %(clinic)s")
            % {"clinic": h.detail.get("clinic", "")},
            whose=mask_name(h.person.name),
            area=h.area,
            due_at=h.due_at,
            link=reverse("clinics:home"),
        )
        for h in late
    ]
