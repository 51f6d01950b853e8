"""Work the clock makes due at the headquarters."""

from __future__ import annotations

from zhanyi.core.periodic import SCHEDULER, every

from . import actions


@every("command.report", minutes=5)
def take_report(now):
    """Take the twice-daily report once its slot (12:00, 20:00) has passed."""
    report = actions.do_take_due_report(acting_user=SCHEDULER, now=now)
    return f"took the {report} report" if report else "no report due"


@every("command.escalate_directives", minutes=5)
def escalate_directives(now):
    """Escalate each directive that has passed its deadline undone (once)."""
    count = actions.do_escalate_overdue_directives(acting_user=SCHEDULER, now=now)
    return f"escalated {count} directive(s)"
