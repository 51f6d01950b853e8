"""What the zones app tells the health-code rules: a resident of an approved
zone whose tier has a code effect (``[zones.<tier>] code_effect``: a sealed
zone's home quarantine, 居家隔离) has that quarantine fact for as long as the
zone held that tier."""

from __future__ import annotations

import datetime as dt

from zhanyi.engine.codes.facts import QuarantineFact
from zhanyi.people.health_facts import for_persons, provider
from zhanyi.people.models import Person
from zhanyi.zones.actions.common import residents_q
from zhanyi.zones.models import Zone, ZoneEventKind, ZoneState
from zhanyi.zones.rules import tier_rule

_CHANGES = (ZoneEventKind.APPROVED, ZoneEventKind.STEPPED_DOWN, ZoneEventKind.LIFTED)


def tier_periods(zone: Zone) -> list[tuple[str, dt.datetime, dt.datetime | None]]:
    """(tier, start, end) of each tier the zone held since its approval."""
    periods: list[tuple[str, dt.datetime, dt.datetime | None]] = []
    for event in zone.events.all():
        if event.kind not in _CHANGES:
            continue
        if periods:
            tier, start, _ = periods[-1]
            periods[-1] = (tier, start, event.at)
        if event.kind != ZoneEventKind.LIFTED:
            periods.append((event.to_tier, event.at, None))
    return periods


@provider("zones")
def facts(person_ids: list[int], now: dt.datetime) -> dict[int, dict[str, list]]:
    out: dict[int, dict[str, list]] = {}
    zones = Zone.objects.filter(
        state__in=[ZoneState.IN_FORCE, ZoneState.LIFTED], starts_at__lte=now
    ).prefetch_related("events", "areas", "places")
    for zone in zones:
        effects = []
        for tier, start, end in tier_periods(zone):
            kind = tier_rule(tier, zone.protocol).code_effect
            if kind and start <= now:
                effects.append(QuarantineFact(kind, start, end, f"zones.zone:{zone.pk}"))
        if not effects:
            continue
        q = residents_q([a.path for a in zone.areas.all()], [p.pk for p in zone.places.all()])
        people = Person.objects.filter(q, merged_into=None)
        inside = for_persons(people, person_ids, field="pk").values_list("pk", flat=True)
        for pid in inside.distinct():
            out.setdefault(pid, {"quarantines": []})["quarantines"].extend(effects)
    return out
