"""What the quarantine app tells the health-code rules: each placement in a
site as centralised quarantine, and each home quarantine or home health
monitoring (after release, or decided for someone sent home)."""

from __future__ import annotations

import datetime as dt

from zhanyi.engine.codes.facts import QuarantineFact
from zhanyi.people.health_facts import for_persons, provider
from zhanyi.quarantine.models import Monitoring, MonitoringKind, Placement, PlacementState


@provider("quarantine")
def facts(person_ids: list[int], now: dt.datetime) -> dict[int, dict[str, list]]:
    out: dict[int, dict[str, list]] = {}
    rows = for_persons(
        Placement.objects.filter(state__in=[PlacementState.PLACED, PlacementState.RELEASED]),
        person_ids,
    ).values_list("pk", "person_id", "placed_at", "starts_at", "days", "ended_at")
    for pk, pid, placed_at, starts_at, days, ended_at in rows:
        source = f"quarantine.placement:{pk}"
        start = placed_at or starts_at
        planned = starts_at + dt.timedelta(days=days)
        items = out.setdefault(pid, {"quarantines": []})["quarantines"]
        items.append(QuarantineFact("centralised", start, ended_at or planned, source))
    homes = for_persons(Monitoring.objects.all(), person_ids).values_list(
        "pk", "person_id", "kind", "starts_at", "ends_at"
    )
    for pk, pid, kind, starts_at, ends_at in homes:
        items = out.setdefault(pid, {"quarantines": []})["quarantines"]
        stage = "home" if kind == MonitoringKind.HOME_QUARANTINE else "home_health_monitoring"
        items.append(QuarantineFact(stage, starts_at, ends_at, f"quarantine.monitoring:{pk}"))
    return out
