"""Every write of the checkpoints app: stations and shifts, checks and their
hand-offs, vessels, port reports, crew checks and patrols. Each ``do_*`` runs
in a transaction, checks the capability and the jurisdiction, and writes its
audit record."""

from .checks import CheckInput, Identity, do_name_person, do_record_check
from .stations import do_add_shift, do_create_station, do_set_station_active
from .vessels import (
    do_flag_overdue,
    do_record_crew_check,
    do_record_patrol,
    do_register_vessel,
    do_report_movement,
)

__all__ = [
    "CheckInput",
    "Identity",
    "do_add_shift",
    "do_create_station",
    "do_flag_overdue",
    "do_name_person",
    "do_record_check",
    "do_record_crew_check",
    "do_record_patrol",
    "do_register_vessel",
    "do_report_movement",
    "do_set_station_active",
]
