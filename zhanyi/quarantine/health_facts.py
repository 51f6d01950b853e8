"""What the quarantine app tells the health-code rules: each placement in a
site as centralised quarantine, and the home health monitoring after release."""

from __future__ import annotations

import datetime as dt

from zhanyi.engine.codes.facts import QuarantineFact
from zhanyi.people.health_facts import for_persons, provider
from zhanyi.quarantine.models import Placement, PlacementState
from zhanyi.quarantine.rules import protocol


@provider("quarantine")
def facts(person_ids: list[int], now: dt.datetime) -> dict[int, dict[str, list]]:
    out: dict[int, dict[str, list]] = {}
    rows = for_persons(
        Placement.objects.filter(state__in=[PlacementState.PLACED, PlacementState.RELEASED]),
        person_ids,
    ).values_list("pk", "person_id", "state", "placed_at", "starts_at", "days", "ended_at", "kind")
    for pk, pid, state, placed_at, starts_at, days, ended_at, kind in rows:
        source = f"quarantine.placement:{pk}"
        start = placed_at or starts_at
        planned = starts_at + dt.timedelta(days=days)
        items = out.setdefault(pid, {"quarantines": []})["quarantines"]
        items.append(QuarantineFact("centralised", start, ended_at or planned, source))
        if state == PlacementState.RELEASED and ended_at is not None:
            monitoring = dict(protocol().quarantine.stages(kind)).get("home_health_monitoring", 0)
            if monitoring:
                items.append(
                    QuarantineFact(
                        "home_health_monitoring",
                        ended_at,
                        ended_at + dt.timedelta(days=monitoring),
                        source,
                    )
                )
    return out
