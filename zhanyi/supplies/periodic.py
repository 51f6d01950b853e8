"""The supplies app's periodic jobs (see ``zhanyi.core.periodic``)."""

from __future__ import annotations

from zhanyi.core.periodic import SCHEDULER, every
from zhanyi.supplies import actions


@every("supplies.cover", minutes=60)
def cover(now) -> str:
    """Every stock against its target days of cover: alerts raised and cleared."""
    counts = actions.do_check_cover(acting_user=SCHEDULER, now=now)
    return f"{counts['raised']} alert(s) raised, {counts['cleared']} cleared, {counts['open']} open"
