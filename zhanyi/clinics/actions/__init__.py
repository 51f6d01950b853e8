"""Every write of the clinics app: clinics, rooms and staff (with their test
schedules), visits (pre-triage, rooms, tests, referrals), pharmacies and their
buyer reports. Each ``do_*`` runs in a transaction, checks the capability and
the jurisdiction, and writes its audit record."""

from .clinics import (
    do_add_rooms,
    do_add_staff,
    do_create_clinic,
    do_end_staff,
    do_renew_staff_schedules,
)
from .pharmacies import Buyer, do_create_pharmacy, do_report_buyer
from .visits import do_assign_room, do_close_visit, do_leave_room, do_register_visit

__all__ = [
    "Buyer",
    "do_add_rooms",
    "do_add_staff",
    "do_assign_room",
    "do_close_visit",
    "do_create_clinic",
    "do_create_pharmacy",
    "do_end_staff",
    "do_leave_room",
    "do_register_visit",
    "do_renew_staff_schedules",
    "do_report_buyer",
]
