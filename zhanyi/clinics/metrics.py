"""Figures of the fever clinics and pharmacies (数出一门): one definition each."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import area_filter, figure, tally
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus
from zhanyi.places.models import Area

from .models import BuyerReport, Clinic, Room, Visit
from .queries import today_start


@tally(
    "clinics.clinics", _("Fever clinics and sentinel posts"), _("clinics"), order=160, area="area"
)
def clinics():
    return Clinic.objects.all()


@tally(
    "clinics.visits_today",
    _("Fever-clinic visits today"),
    _("visits"),
    order=161,
    link="clinics:home",
    area="clinic__area",
)
def visits_today():
    return Visit.objects.filter(arrived_at__gte=today_start())


@tally(
    "clinics.patients_in_rooms",
    _("Patients in fever-clinic rooms"),
    _("people"),
    order=162,
    area="clinic__area",
)
def patients_in_rooms():
    return Visit.objects.filter(room__isnull=False, left_room_at=None)


@figure("clinics.rooms_free", _("Free fever-clinic rooms"), _("rooms"), order=163)
def rooms_free(area: Area | None) -> int:
    rooms = Room.objects.filter(**area_filter(area, "clinic__area__path"))
    taken = Visit.objects.filter(room__isnull=False, left_room_at=None).values("room_id")
    return rooms.exclude(pk__in=taken).count()


@tally(
    "clinics.referred",
    _("Fever-clinic patients referred"),
    _("people"),
    order=164,
    area="clinic__area",
)
def referred():
    """Visits ended with a referral to the designated hospital or to quarantine."""
    return Visit.objects.filter(referral_handoff__isnull=False)


@tally(
    "clinics.staff_tests_overdue",
    _("Clinic staff overdue for their test"),
    _("people"),
    order=165,
    area="area",
)
def staff_tests_overdue():
    return Handoff.objects.filter(
        kind=HandoffKind.TEST,
        status=HandoffStatus.OPEN,
        origin__startswith="clinics.staff:",
        due_at__lt=timezone.now(),
    )


@tally(
    "clinics.reports_open",
    _("Pharmacy reports being followed up"),
    _("reports"),
    order=166,
    link="clinics:pharmacies?state=open",
    area="area",
)
def reports_open():
    return BuyerReport.objects.filter(handoff__status=HandoffStatus.OPEN)


@tally(
    "clinics.reports_overdue",
    _("Pharmacy reports overdue"),
    _("reports"),
    order=167,
    link="clinics:pharmacies?state=overdue",
    area="area",
)
def reports_overdue():
    return BuyerReport.objects.filter(
        handoff__status=HandoffStatus.OPEN, handoff__due_at__lt=timezone.now()
    )


@tally(
    "clinics.reports_closed",
    _("Pharmacy reports followed up"),
    _("reports"),
    order=168,
    area="area",
)
def reports_closed():
    return BuyerReport.objects.exclude(handoff__status=HandoffStatus.OPEN)
