"""Every write of the zones app. Each ``do_*`` runs in a transaction, checks
the capability and the jurisdiction, and writes its audit record."""

from .common import residents
from .proposals import do_propose_from_cases
from .review import do_flag_ready_zones
from .zones import (
    do_approve_zone,
    do_lift_zone,
    do_propose_zone,
    do_reject_zone,
    do_step_down_zone,
)

__all__ = [
    "do_approve_zone",
    "do_flag_ready_zones",
    "do_lift_zone",
    "do_propose_from_cases",
    "do_propose_zone",
    "do_reject_zone",
    "do_step_down_zone",
    "residents",
]
