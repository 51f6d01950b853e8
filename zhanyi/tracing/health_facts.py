"""Tracing's health-code facts: cases and contacts (see ``zhanyi.people.health_facts``)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from zhanyi.core.db import bulk
from zhanyi.engine.codes import CaseFact, ContactFact
from zhanyi.people.health_facts import provider
from zhanyi.tracing.models import Case, Contact

_CHUNK = 20_000
#: From this many persons on, facts are read in one bulk read (COPY on PostgreSQL).
BULK_FROM = 2_000


_CONTACT_SCHEMA = {
    "pk": pl.Int64,
    "person_id": pl.Int64,
    "kind": pl.String,
    "last_exposure_at": bulk.TIMESTAMP,
    "identified_at": bulk.TIMESTAMP,
    "released_at": bulk.TIMESTAMP,
    "protocol": pl.String,
    "quarantined_at": bulk.TIMESTAMP,
}
_CONTACT_COLUMNS = ("id", "person_id", "kind", "last_exposure_at", "identified_at")
_CONTACT_COLUMNS += ("released_at", "protocol", "quarantined_at")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _contacts_bulk(person_ids: list[int]) -> list[tuple]:
    """Contacts of ``person_ids`` in one bulk read (COPY on PostgreSQL): a
    whole contact graph's codes are recomputed at once."""
    where, params = bulk.ids_sql("person_id", person_ids)
    frame = bulk.read_frame(
        Contact,
        _CONTACT_COLUMNS,
        _CONTACT_SCHEMA,
        where=where,
        params=params,
    ).with_columns(
        # Times as whole microseconds since the epoch: turned into datetimes
        # through a cache, as a graph's contacts share a few thousand times.
        pl.col(name).dt.epoch("us")
        for name in ("last_exposure_at", "identified_at", "released_at", "quarantined_at")
    )
    times: dict[int | None, dt.datetime | None] = {None: None}

    def at(us: int | None) -> dt.datetime | None:
        t = times.get(us, _EPOCH)
        if t is _EPOCH:
            t = times[us] = _EPOCH + dt.timedelta(microseconds=us)
        return t

    return [
        (pk, pid, kind, at(last), at(identified), at(released), name, at(quarantined))
        for pk, pid, kind, last, identified, released, name, quarantined in frame.iter_rows()
    ]


@provider("tracing")
def facts(person_ids: list[int], now: dt.datetime) -> dict[int, dict[str, list]]:
    """Each person's cases and contacts (close, secondary, companion)."""
    out: dict[int, dict[str, list]] = {}
    chunks = [person_ids[i : i + _CHUNK] for i in range(0, len(person_ids), _CHUNK)]
    many = len(person_ids) > BULK_FROM
    if many:
        where, params = bulk.ids_sql("person_id", person_ids)
        case_rows = bulk.read_frame(
            Case,
            ["id", "person_id", "classification", "reported_at", "discharged_at"],
            {
                "pk": pl.Int64,
                "person_id": pl.Int64,
                "classification": pl.String,
                "reported_at": bulk.TIMESTAMP,
                "discharged_at": bulk.TIMESTAMP,
            },
            # A voided case (filed twice or in error) makes no code.
            where=f"voided_at IS NULL AND {where}",
            params=params,
        ).iter_rows()
    else:
        case_rows = [
            row
            for chunk in chunks
            for row in Case.objects.filter(person_id__in=chunk).values_list(
                "pk", "person_id", "classification", "reported_at", "discharged_at"
            )
        ]
    for pk, pid, classification, reported_at, discharged_at in case_rows:
        out.setdefault(pid, {}).setdefault("cases", []).append(
            CaseFact(
                classification=classification,
                reported_at=reported_at,
                released_at=discharged_at,
                source=f"tracing.case:{pk}",
            )
        )
    if many:
        contact_rows = _contacts_bulk(person_ids)
    else:
        contact_rows = []
        for chunk in chunks:
            contact_rows.extend(
                Contact.objects.filter(person_id__in=chunk).values_list(
                    "pk",
                    "person_id",
                    "kind",
                    "last_exposure_at",
                    "identified_at",
                    "released_at",
                    "protocol",
                    "quarantined_at",
                )
            )
    for pk, pid, kind, last, identified, released, protocol_name, quarantined in contact_rows:
        out.setdefault(pid, {}).setdefault("contacts", []).append(
            ContactFact(
                kind=kind,
                last_exposure_at=last,
                identified_at=identified,
                released_at=released,
                protocol=protocol_name,
                quarantined_at=quarantined,
                source=f"tracing.contact:{pk}",
            )
        )
    return out
