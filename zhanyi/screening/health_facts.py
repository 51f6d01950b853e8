"""Health-code facts owned by screening: pushed contacts and arrivals from risk areas.

A pushed close contact, secondary contact or companion is a ``ContactFact``;
an arrival from a risk area (pushed, or found at the door) an ``ArrivalFact``.
Records waiting for review have no person yet and give no fact.
"""

from __future__ import annotations

import datetime as dt

from zhanyi.engine.codes.facts import ArrivalFact, ContactFact
from zhanyi.engine.protocol import DEFAULT_PROTOCOL
from zhanyi.people.health_facts import in_batches, provider

from .models import PushCategory, PushRecord

CONTACT_KINDS = {
    PushCategory.CLOSE_CONTACT: "close",
    PushCategory.SECONDARY_CONTACT: "secondary",
    PushCategory.COMPANION: "companion",
}


@provider("screening")
def facts(person_ids: list[int], now: dt.datetime) -> dict[int, dict[str, list]]:
    out: dict[int, dict[str, list]] = {}
    # A range scan (dense ids) or IN lists; a range may return persons who
    # were not asked for, who are skipped.
    wanted = set(person_ids)
    for batch in in_batches(PushRecord.objects.all(), sorted(wanted), size=2000):
        records = batch.filter(received_at__lte=now).values_list(
            "pk",
            "person_id",
            "category",
            "exposure_at",
            "arrived_at",
            "received_at",
            "risk_level",
            "origin",
        )
        for pk, pid, category, exposure_at, arrived_at, received_at, risk, origin in records:
            if pid not in wanted:
                continue
            source = f"screening.push_record:{pk}"
            part = out.setdefault(pid, {"contacts": [], "arrivals": []})
            if category in CONTACT_KINDS:
                part["contacts"].append(
                    ContactFact(
                        kind=CONTACT_KINDS[category],
                        last_exposure_at=exposure_at or received_at,
                        identified_at=received_at,
                        protocol=DEFAULT_PROTOCOL,
                        source=source,
                    )
                )
            else:
                part["arrivals"].append(
                    ArrivalFact(
                        arrived_at=arrived_at or received_at,
                        risk_level=risk or "medium",
                        origin=origin,
                        source=source,
                    )
                )
    return out
