"""Every write of the quarantine app: sites and rooms, the queue, placements,
life in the site and release. Each ``do_*`` runs in a transaction, checks the
capability and the jurisdiction, and writes its audit record."""

from .monitoring import do_flag_missed_reports, do_self_report, do_start_monitoring
from .placements import do_confirm_placements, do_move_placement, do_place, do_plan_placements
from .queue import do_add_to_queue
from .release import do_end_for_positive, do_end_positives, do_record_health_check, do_release
from .sites import (
    do_activate_site,
    do_add_rooms,
    do_check_zones,
    do_create_site,
    do_set_room_state,
    do_set_twin,
)
from .transfer import do_add_vehicle, do_deliver, do_pick_up, do_plan_trips

__all__ = [
    "do_activate_site",
    "do_add_rooms",
    "do_add_to_queue",
    "do_add_vehicle",
    "do_check_zones",
    "do_confirm_placements",
    "do_create_site",
    "do_deliver",
    "do_end_for_positive",
    "do_end_positives",
    "do_flag_missed_reports",
    "do_move_placement",
    "do_pick_up",
    "do_place",
    "do_plan_placements",
    "do_plan_trips",
    "do_record_health_check",
    "do_release",
    "do_self_report",
    "do_set_room_state",
    "do_set_twin",
    "do_start_monitoring",
]
