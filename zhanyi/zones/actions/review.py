"""The clock's review of zones in force: flag those whose lifting criteria
hold, so that someone with ``approve`` steps them down (it never steps a
zone down by itself)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.zones.actions.common import require
from zhanyi.zones.lifting import lifting_check
from zhanyi.zones.models import Zone, ZoneEvent, ZoneEventKind, ZoneState


@transaction.atomic
def do_flag_ready_zones(*, acting_user, now: dt.datetime | None = None) -> int:
    """Mark each zone in force whose criteria now hold as ready (once), and
    clear the mark of one that no longer meets them (a new case); how many
    were newly flagged."""
    require(acting_user, "approve")
    now = now or timezone.now()
    flagged = 0
    for zone in Zone.objects.filter(state=ZoneState.IN_FORCE).select_for_update():
        check = lifting_check(zone, now)
        if check.ready and zone.ready_since is None:
            zone.ready_since = now
            zone.save(update_fields=["ready_since"])
            ZoneEvent.objects.create(
                zone=zone,
                kind=ZoneEventKind.READY,
                at=now,
                by_name=actor_name(acting_user),
                to_tier=zone.tier,
            )
            audit.record(
                actor=acting_user,
                action="zones.ready",
                obj=zone,
                area=zone.area,
                detail={"tier": zone.tier, "clock_ended_at": check.clock_ends_at.isoformat()},
            )
            flagged += 1
        elif not check.ready and zone.ready_since is not None:
            zone.ready_since = None
            zone.save(update_fields=["ready_since"])
    return flagged
