"""The zones app's periodic jobs (see ``zhanyi.core.periodic``)."""

from __future__ import annotations

from zhanyi.core.periodic import SCHEDULER, every
from zhanyi.zones import actions


@every("zones.lifting", minutes=60)
def lifting(now) -> str:
    """Zones in force whose lifting criteria hold are flagged ready to step
    down; stepping down stays a decision someone approves."""
    flagged = actions.do_flag_ready_zones(acting_user=SCHEDULER, now=now)
    return f"{flagged} zone(s) ready to step down"
