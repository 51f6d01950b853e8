"""Tracing's periodic jobs (see ``zhanyi.core.periodic``): the location data feeds."""

from __future__ import annotations

from zhanyi.core.periodic import SCHEDULER, every


@every("tracing.ingest_stay_feeds", minutes=5)
def ingest_stay_feeds(now) -> str:
    """Operators' stay files dropped into the watched folder or posted to the
    API go into the companion store, each recorded as ingested or refused."""
    from zhanyi.tracing.actions.feeds import do_ingest_stay_feeds

    counts = do_ingest_stay_feeds(acting_user=SCHEDULER, now=now)
    return f"{counts['ingested']} stay file(s) ingested, {counts['refused']} refused"


@every("tracing.purge_companions", minutes=24 * 60)
def purge_companions(now) -> str:
    """Location data older than the protocol's retention period (21 days) is
    deleted from the companion store, once a day, audited."""
    from zhanyi.tracing.actions.feeds import CHINA, do_purge_companions

    removed = do_purge_companions(acting_user=SCHEDULER, as_of=now.astimezone(CHINA).date())
    return f"{len(removed)} day(s) of location data deleted"
