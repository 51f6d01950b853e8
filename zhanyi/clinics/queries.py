"""Reads of the clinics app, each with its access check: clinics, rooms,
visits, staff, pharmacies and buyer reports of the user's jurisdiction (a
clinic's or pharmacy's area decides it; a report's follow-up area too)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhanyi.accounts.roles import has_capability
from zhanyi.core import jurisdiction
from zhanyi.handoffs.models import HandoffStatus

from .models import BuyerReport, Clinic, ClinicStaff, Pharmacy, Room, Visit


def require_view(user) -> None:
    if not has_capability(user, "view_person") or jurisdiction.root_path(user) is None:
        raise PermissionDenied("requires view_person and a jurisdiction")


def clinics_for(user) -> QuerySet[Clinic]:
    require_view(user)
    return jurisdiction.scope(Clinic.objects.select_related("area"), user, "area__path")


def get_clinic_for_user(user, clinic_id: int) -> Clinic:
    try:
        return clinics_for(user).get(pk=clinic_id)
    except (Clinic.DoesNotExist, ValueError, TypeError):
        raise Http404("no such clinic") from None


def rooms_for(user) -> QuerySet[Room]:
    require_view(user)
    return jurisdiction.scope(Room.objects.select_related("clinic"), user, "clinic__area__path")


def get_room_for_user(user, room_id: int) -> Room:
    try:
        return rooms_for(user).get(pk=room_id)
    except (Room.DoesNotExist, ValueError, TypeError):
        raise Http404("no such room") from None


def visits_for(user) -> QuerySet[Visit]:
    require_view(user)
    qs = Visit.objects.select_related(
        "clinic", "person", "room", "test_handoff", "referral_handoff"
    )
    return jurisdiction.scope(qs, user, "clinic__area__path")


def get_visit_for_user(user, visit_id: int) -> Visit:
    try:
        return visits_for(user).get(pk=visit_id)
    except (Visit.DoesNotExist, ValueError, TypeError):
        raise Http404("no such visit") from None


def staff_for(user) -> QuerySet[ClinicStaff]:
    require_view(user)
    qs = ClinicStaff.objects.select_related("clinic", "person", "test_handoff")
    return jurisdiction.scope(qs, user, "clinic__area__path")


def get_staff_for_user(user, staff_id: int) -> ClinicStaff:
    try:
        return staff_for(user).get(pk=staff_id)
    except (ClinicStaff.DoesNotExist, ValueError, TypeError):
        raise Http404("no such staff member") from None


def pharmacies_for(user) -> QuerySet[Pharmacy]:
    require_view(user)
    return jurisdiction.scope(Pharmacy.objects.select_related("area"), user, "area__path")


def get_pharmacy_for_user(user, pharmacy_id: int) -> Pharmacy:
    try:
        return pharmacies_for(user).get(pk=pharmacy_id)
    except (Pharmacy.DoesNotExist, ValueError, TypeError):
        raise Http404("no such pharmacy") from None


def reports_for(user) -> QuerySet[BuyerReport]:
    """Reports of the user's pharmacies, or followed up in the user's areas."""
    require_view(user)
    qs = BuyerReport.objects.select_related("pharmacy", "person", "area", "handoff")
    path = jurisdiction.root_path(user)
    if path:
        qs = qs.filter(Q(pharmacy__area__path__startswith=path) | Q(area__path__startswith=path))
    return qs


def get_report_for_user(user, report_id: int) -> BuyerReport:
    try:
        return reports_for(user).get(pk=report_id)
    except (BuyerReport.DoesNotExist, ValueError, TypeError):
        raise Http404("no such report") from None


def open_reports(qs: QuerySet[BuyerReport]) -> QuerySet[BuyerReport]:
    return qs.filter(handoff__status=HandoffStatus.OPEN)


def overdue_reports(qs: QuerySet[BuyerReport], now: dt.datetime) -> QuerySet[BuyerReport]:
    return open_reports(qs).filter(handoff__due_at__lt=now)


@dataclass
class RoomRow:
    room: Room
    visit: Visit | None


def room_board(clinic: Clinic) -> list[RoomRow]:
    """Each room of the clinic and the patient in it, if any."""
    inside = {
        v.room_id: v
        for v in Visit.objects.filter(
            clinic=clinic, room__isnull=False, left_room_at=None
        ).select_related("person")
    }
    return [RoomRow(r, inside.get(r.pk)) for r in clinic.rooms.all()]


def free_rooms(clinic: Clinic) -> QuerySet[Room]:
    taken = Visit.objects.filter(clinic=clinic, room__isnull=False, left_room_at=None).values(
        "room_id"
    )
    return clinic.rooms.exclude(pk__in=taken)


def waiting(clinic: Clinic) -> QuerySet[Visit]:
    """Patients of the clinic whose visit is open and who are in no room."""
    return (
        Visit.objects.filter(clinic=clinic, closed_at=None)
        .filter(Q(room__isnull=True) | Q(left_room_at__isnull=False))
        .select_related("person", "test_handoff")
        .order_by("arrived_at", "id")
    )


def today_start(now: dt.datetime | None = None) -> dt.datetime:
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)
