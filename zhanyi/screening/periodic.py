"""Screening's periodic jobs (see ``zhanyi.core.periodic``)."""

from __future__ import annotations

from zhanyi.core.periodic import SCHEDULER, every


@every("screening.escalate_overdue", minutes=5)
def escalate_overdue(now) -> str:
    """Tasks past their 2-hour deadline go to the township (超时上报) within
    five minutes, whether or not anyone opens a page."""
    from zhanyi.screening.actions import do_escalate_overdue

    return f"{do_escalate_overdue(acting_user=SCHEDULER, now=now)} task(s) escalated"


@every("screening.fail_abandoned_imports", minutes=1)
def fail_abandoned_imports(now) -> str:
    """An import whose worker was killed or crashed ends failed, its files removed,
    instead of showing "storing" for ever (nothing of it was stored)."""
    from zhanyi.screening.jobs import fail_abandoned_imports as fail

    return f"{len(fail())} abandoned import(s) failed"
