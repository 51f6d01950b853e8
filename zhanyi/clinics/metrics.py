"""Figures of the fever clinics and pharmacies (数出一门): one definition each."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import area_filter, figure
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus
from zhanyi.places.models import Area

from .models import BuyerReport, Clinic, Room, Visit
from .queries import today_start


@figure("clinics.clinics", _("Fever clinics and sentinel posts"), _("clinics"), order=160)
def clinics(area: Area | None) -> int:
    return Clinic.objects.filter(**area_filter(area, "area__path")).count()


@figure(
    "clinics.visits_today",
    _("Fever-clinic visits today"),
    _("visits"),
    order=161,
    link="clinics:home",
)
def visits_today(area: Area | None) -> int:
    return Visit.objects.filter(
        arrived_at__gte=today_start(), **area_filter(area, "clinic__area__path")
    ).count()


@figure("clinics.patients_in_rooms", _("Patients in fever-clinic rooms"), _("people"), order=162)
def patients_in_rooms(area: Area | None) -> int:
    return Visit.objects.filter(
        room__isnull=False, left_room_at=None, **area_filter(area, "clinic__area__path")
    ).count()


@figure("clinics.rooms_free", _("Free fever-clinic rooms"), _("rooms"), order=163)
def rooms_free(area: Area | None) -> int:
    rooms = Room.objects.filter(**area_filter(area, "clinic__area__path"))
    taken = Visit.objects.filter(room__isnull=False, left_room_at=None).values("room_id")
    return rooms.exclude(pk__in=taken).count()


@figure("clinics.referred", _("Fever-clinic patients referred"), _("people"), order=164)
def referred(area: Area | None) -> int:
    """Visits ended with a referral to the designated hospital or to quarantine."""
    return Visit.objects.filter(
        referral_handoff__isnull=False, **area_filter(area, "clinic__area__path")
    ).count()


@figure(
    "clinics.staff_tests_overdue",
    _("Clinic staff overdue for their test"),
    _("people"),
    order=165,
)
def staff_tests_overdue(area: Area | None) -> int:
    return Handoff.objects.filter(
        kind=HandoffKind.TEST,
        status=HandoffStatus.OPEN,
        origin__startswith="clinics.staff:",
        due_at__lt=timezone.now(),
        **area_filter(area, "area__path"),
    ).count()


def _reports(area: Area | None):
    return BuyerReport.objects.filter(**area_filter(area, "area__path"))


@figure(
    "clinics.reports_open",
    _("Pharmacy reports being followed up"),
    _("reports"),
    order=166,
    link="clinics:pharmacies?state=open",
)
def reports_open(area: Area | None) -> int:
    return _reports(area).filter(handoff__status=HandoffStatus.OPEN).count()


@figure(
    "clinics.reports_overdue",
    _("Pharmacy reports overdue"),
    _("reports"),
    order=167,
    link="clinics:pharmacies?state=overdue",
)
def reports_overdue(area: Area | None) -> int:
    return (
        _reports(area)
        .filter(handoff__status=HandoffStatus.OPEN, handoff__due_at__lt=timezone.now())
        .count()
    )


@figure("clinics.reports_closed", _("Pharmacy reports followed up"), _("reports"), order=168)
def reports_closed(area: Area | None) -> int:
    return _reports(area).exclude(handoff__status=HandoffStatus.OPEN).count()
