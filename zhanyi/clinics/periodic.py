"""The clinics app's periodic jobs (see ``zhanyi.core.periodic``)."""

from __future__ import annotations

from zhanyi.clinics import actions
from zhanyi.core.periodic import SCHEDULER, every


@every("clinics.staff_tests", minutes=24 * 60)
def staff_tests(now) -> str:
    """Every serving clinic staff member's test schedule written ahead to the horizon."""
    changed = actions.do_renew_staff_schedules(acting_user=SCHEDULER, now=now)
    return f"{changed} staff test schedule(s) renewed"
