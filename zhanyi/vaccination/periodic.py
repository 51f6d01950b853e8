"""The vaccination app's periodic jobs (see ``zhanyi.core.periodic``)."""

from __future__ import annotations

from zhanyi.core.periodic import SCHEDULER, every
from zhanyi.vaccination import actions
from zhanyi.vaccination.actions.tallies import today
from zhanyi.vaccination.models import CoverageDay


@every("vaccination.recount", minutes=30)
def recount(now) -> str:
    """Once a day, the first run after local midnight: the coverage tallies
    counted again with the new day's ages and the person index as it is."""
    counted = CoverageDay.objects.filter(pk=1).first()
    if counted is not None and counted.day >= today():
        return f"counted on {counted.day}"
    row = actions.do_recount_coverage(acting_user=SCHEDULER)
    return f"counted again for {row.day}"
