"""Every write of the teams app (``do_*``), by topic."""

from .control import do_close_control, do_escalate_overdue_controls
from .teams import (
    do_add_member,
    do_create_team,
    do_record_training,
    do_remove_member,
    do_set_leader,
)

__all__ = [
    "do_add_member",
    "do_close_control",
    "do_create_team",
    "do_escalate_overdue_controls",
    "do_record_training",
    "do_remove_member",
    "do_set_leader",
]
