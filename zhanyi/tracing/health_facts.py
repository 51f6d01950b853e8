"""Tracing's health-code facts: cases and contacts (see ``zhanyi.people.health_facts``)."""

from __future__ import annotations

import datetime as dt

from zhanyi.engine.codes import CaseFact, ContactFact
from zhanyi.people.health_facts import provider
from zhanyi.tracing.models import Case, Contact

_CHUNK = 20_000


@provider("tracing")
def facts(person_ids: list[int], now: dt.datetime) -> dict[int, dict[str, list]]:
    """Each person's cases and contacts (close, secondary, companion)."""
    out: dict[int, dict[str, list]] = {}
    for i in range(0, len(person_ids), _CHUNK):
        chunk = person_ids[i : i + _CHUNK]
        for pk, pid, classification, reported_at, discharged_at in Case.objects.filter(
            person_id__in=chunk
        ).values_list("pk", "person_id", "classification", "reported_at", "discharged_at"):
            out.setdefault(pid, {}).setdefault("cases", []).append(
                CaseFact(
                    classification=classification,
                    reported_at=reported_at,
                    released_at=discharged_at,
                    source=f"tracing.case:{pk}",
                )
            )
        rows = Contact.objects.filter(person_id__in=chunk).values_list(
            "pk",
            "person_id",
            "kind",
            "last_exposure_at",
            "identified_at",
            "released_at",
            "protocol",
        )
        for pk, pid, kind, last, identified, released, protocol_name in rows:
            out.setdefault(pid, {}).setdefault("contacts", []).append(
                ContactFact(
                    kind=kind,
                    last_exposure_at=last,
                    identified_at=identified,
                    released_at=released,
                    protocol=protocol_name,
                    source=f"tracing.contact:{pk}",
                )
            )
    return out
