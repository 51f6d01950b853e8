"""The teams' periodic jobs (see ``zhanyi.core.periodic``)."""

from __future__ import annotations

from zhanyi.core.periodic import SCHEDULER, every


@every("teams.escalate_overdue_controls", minutes=5)
def escalate_overdue_controls(now) -> str:
    """Control tasks past their 2-hour deadline go to the township (超时上报)
    within five minutes, as screening tasks do."""
    from zhanyi.teams.actions import do_escalate_overdue_controls

    return (
        f"{do_escalate_overdue_controls(acting_user=SCHEDULER, now=now)} control task(s) escalated"
    )
