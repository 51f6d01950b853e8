"""The quarantine app's periodic jobs (see ``zhanyi.core.periodic``)."""

from __future__ import annotations

from zhanyi.core.periodic import SCHEDULER, every
from zhanyi.quarantine import actions


@every("quarantine.positives", minutes=15)
def positives(now) -> str:
    """People in a site whose test came back positive leave it as cases (testing
    has already reported the case to tracing) and their rooms go to cleaning."""
    ended = actions.do_end_positives(acting_user=SCHEDULER, now=now)
    return f"{ended} placement(s) ended by a positive test"


@every("quarantine.missed_reports", minutes=30)
def missed_reports(now) -> str:
    """People under home monitoring who have not reported within the interval
    (twice a day): a task for their village team."""
    flagged = actions.do_flag_missed_reports(acting_user=SCHEDULER, now=now)
    return f"{flagged} missed report(s) handed to the village teams"
