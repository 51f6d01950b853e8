"""Every write of the livelihood app: the supply network, prices, sealed homes'
orders and special care. Each ``do_*`` runs in a transaction, checks the
capability and the jurisdiction, and writes its audit record."""

from .care import do_add_care, do_follow_up
from .facilities import do_add_facility, do_set_facility_active
from .orders import (
    do_accept_order,
    do_bring_to_gate,
    do_decline_order,
    do_deliver_order,
    do_hand_to_volunteer,
    do_issue_home_link,
    do_place_order,
)
from .prices import do_record_price_check, do_set_reference_price

__all__ = [
    "do_accept_order",
    "do_add_care",
    "do_add_facility",
    "do_bring_to_gate",
    "do_decline_order",
    "do_deliver_order",
    "do_follow_up",
    "do_hand_to_volunteer",
    "do_issue_home_link",
    "do_place_order",
    "do_record_price_check",
    "do_set_facility_active",
    "do_set_reference_price",
]
