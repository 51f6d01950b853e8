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
