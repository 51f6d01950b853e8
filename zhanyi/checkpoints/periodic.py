"""The checkpoints app's periodic jobs (see ``zhanyi.core.periodic``)."""

from __future__ import annotations

from zhanyi.checkpoints import actions
from zhanyi.core.periodic import SCHEDULER, every


@every("checkpoints.overdue_vessels", minutes=15)
def overdue_vessels(now) -> str:
    """Fishing vessels at sea past the return time of their exit report are
    flagged overdue (the list on the ports page, a figure)."""
    flagged = actions.do_flag_overdue(now=now, acting_user=SCHEDULER)
    return f"{flagged} vessel(s) flagged overdue"
