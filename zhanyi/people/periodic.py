"""The person index's periodic jobs (see ``zhanyi.core.periodic``)."""

from __future__ import annotations

from zhanyi.core.periodic import SCHEDULER, every


@every("people.refresh_codes", minutes=10)
def refresh_codes(now) -> str:
    """Health codes (健康码): overrides that expired end, and codes whose
    ``until`` or review time has passed are decided again."""
    from zhanyi.people.actions.health_codes import do_refresh_codes

    r = do_refresh_codes(acting_user=SCHEDULER, now=now)
    return (
        f"{r.expired_overrides} override(s) expired, {r.reviewed} code(s) reviewed, "
        f"{r.changed} changed"
    )
