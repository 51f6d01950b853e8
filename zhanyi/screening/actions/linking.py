"""Linking push records to the person index, and the review queue (人工核对).

``store_records`` is phase two of an intake, inside its transaction: the
engine links each record (exact identity number, then Splink); records of
one new person (a cluster) create that person once, through the person
index's bulk import; every record with a person becomes part of that person's
screening task. Records the engine is unsure of wait in the review queue, where
a user who may merge or edit persons confirms a candidate or rejects them all
(a new person); either way the record is then dispatched like any other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import has_capability
from zhanyi.core import audit, jurisdiction
from zhanyi.core.db.bulk import Inserter
from zhanyi.engine.identity import IdentityNumberError, parse_resident_id
from zhanyi.people import linkage
from zhanyi.people.actions import do_import_persons
from zhanyi.people.models import Person, SourceRecord
from zhanyi.screening import bridge
from zhanyi.screening.models import Decision, PushList, PushRecord

from .common import actor_name, actor_user
from .dispatch import DispatchItem, Resolution, dispatch, recompute_codes, resolve_addresses
from .origins import OriginRisk, origin_risks, weigh


#: A person first known from a push record gets, as external id, minus the
#: first 60 bits of that record's fingerprint: negative, so never an id of
#: the city's registry, and the same on a replay.
def external_id_for(fingerprint: str) -> int:
    return -int(fingerprint[:15], 16)


def _engine_link(staged: pl.DataFrame, villages: list[str | None]) -> dict[int, dict]:
    # The linkage engine loads Splink (seconds): only when records are linked.
    from zhanyi.engine.linkage import link

    index_path = linkage.person_index_path()
    model = linkage.linkage_model(index_path)
    result = link(bridge.records_frame(staged, villages), index_path, model)
    return {int(r["record_key"]): r for r in result.iter_rows(named=True)}


def _valid_number(number: str | None) -> str:
    """The identity number a new person may hold: a valid one; an uncertain one
    (kept on the record for matching) is not the person's."""
    try:
        return parse_resident_id(number).number if number else ""
    except IdentityNumberError:
        return ""


def _person_row(row: dict[str, Any], village_code: str | None) -> dict[str, Any]:
    return {
        "person_id": external_id_for(row["fingerprint"]),
        "identity_number": _valid_number(row["identity_number"]),
        "name": row["name"],
        "sex": row["sex"] or "unknown",
        "birth_date": row["birth_date"],
        "phone": row["phone"],
        "address": row["address"],
        "village_code": village_code or "",
    }


def _create_persons(
    reps: list[tuple[dict[str, Any], Resolution]], push_list: PushList, *, acting_user
) -> dict[str, int]:
    """Create one person per representative row; fingerprint → person pk (refused rows absent)."""
    if not reps:
        return {}
    do_import_persons(
        acting_user=acting_user,
        households=[],
        persons=[_person_row(row, res.village_code) for row, res in reps],
        source=SourceRecord.Source.PUSH_LIST,
        source_ref=f"screening.push_list:{push_list.pk}",
    )
    wanted = {external_id_for(row["fingerprint"]): row["fingerprint"] for row, _res in reps}
    found: dict[str, int] = {}
    ids = list(wanted)
    for i in range(0, len(ids), 2000):
        for ext, pk in Person.objects.filter(external_id__in=ids[i : i + 2000]).values_list(
            "external_id", "id"
        ):
            assert ext is not None  # asked for by external_id
            found[wanted[ext]] = pk
    return found


RECORD_FIELDS = [
    "push_list",
    "source",
    "row_number",
    "fingerprint",
    "name",
    "identity_number",
    "phone",
    "sex",
    "birth_date",
    "address",
    "category",
    "origin",
    "risk_level",
    "exposure_at",
    "arrived_at",
    "payload",
    "warnings",
    "received_at",
    "person",
    "decision",
    "match_probability",
    "method",
    "candidates",
    "village",
    "resolved_area",
    "address_confidence",
    "task",
    "reviewed_by_name",
]

#: Records are built and inserted this many at a time, so that a 163,000-row
#: list never exists as model instances all at once.
BATCH = 5000


@dataclass
class _Outcomes:
    """Per staged record (by ``record_key``): its decision, person and
    candidates, kept as small columns rather than rows."""

    counts: dict[str, int]
    decisions: list[str] = field(default_factory=list)
    persons: list[int | None] = field(default_factory=list)
    candidate_lists: list[list[int]] = field(default_factory=list)
    #: Records that created their person (already that person's source record).
    first_of_new_person: set[int] = field(default_factory=set)


def store_records(push_list: PushList, staged: pl.DataFrame, *, acting_user) -> dict[str, int]:
    """Link, create, dispatch and store the ``staged`` rows of ``push_list`` (a frame
    with the columns of the intake's staging file)."""
    staged = staged.with_row_index("record_key")
    addresses = staged["address"].to_list()
    resolutions = resolve_addresses(addresses)
    origin_city = push_list.source.origin_city
    origins = origin_risks(
        [o or origin_city for o in staged["origin"].to_list()],
        [a or push_list.received_at for a in staged["arrived_at"].to_list()],
    )
    linked = _engine_link(staged, [resolutions[a].village_code for a in addresses])
    new_persons, created = _create_new_persons(
        push_list, staged, linked, resolutions, acting_user=acting_user
    )
    outcomes = _decide_records(staged.height, linked, new_persons, created)
    items = _dispatch_items(push_list, staged, addresses, resolutions, outcomes.persons)
    counts = outcomes.counts
    counts.update(dispatch([i for i in items if i is not None], acting_user=acting_user))
    _insert_records(
        push_list, staged, linked, resolutions, outcomes, items, origins, acting_user=acting_user
    )
    recompute_codes(
        {p for p in outcomes.persons if p is not None},
        reason=f"screening.push_list:{push_list.pk}",
        acting_user=acting_user,
    )
    return counts


def _create_new_persons(
    push_list: PushList,
    staged: pl.DataFrame,
    linked: dict[int, dict],
    resolutions: dict[str | None, Resolution],
    *,
    acting_user,
) -> tuple[dict[int, tuple[int, int | None]], int]:
    """One new person per cluster the engine found new, from its first record:
    ``{cluster: (that record's key, the person's pk or None if the person index
    refused the row)}``, and how many persons were created."""
    reps: dict[int, int] = {}
    for key in range(staged.height):
        outcome = linked[key]
        if outcome["decision"] == Decision.NEW:
            reps.setdefault(outcome["cluster"], key)
    rep_rows = {key: staged.row(key, named=True) for key in reps.values()}
    created = _create_persons(
        [(row, resolutions[row["address"]]) for row in rep_rows.values()],
        push_list,
        acting_user=acting_user,
    )
    new_persons = {
        cluster: (key, created.get(rep_rows[key]["fingerprint"])) for cluster, key in reps.items()
    }
    return new_persons, len(created)


def _decide_records(
    height: int,
    linked: dict[int, dict],
    new_persons: dict[int, tuple[int, int | None]],
    persons_created: int,
) -> _Outcomes:
    """Each record's decision, person and candidates, and how many of each
    decision: a new record whose person the index refused goes to review."""
    out = _Outcomes(counts={"linked": 0, "new": 0, "review": 0, "persons_created": persons_created})
    for key in range(height):
        outcome = linked[key]
        decision = outcome["decision"]
        person_id = outcome["person_id"]
        candidates = [int(c) for c in (outcome.get("candidates") or []) if c is not None]
        if decision == Decision.NEW:
            rep, person_id = new_persons[outcome["cluster"]]
            if person_id is None:
                # The person index refused the row (its audit record says
                # why): a person must look at it.
                decision = Decision.REVIEW
            elif rep == key:
                out.first_of_new_person.add(key)
        if decision == Decision.REVIEW:
            if person_id is not None and int(person_id) not in candidates:
                candidates.insert(0, int(person_id))
            person_id = None
        out.counts[{"link": "linked", "new": "new", "review": "review"}[decision]] += 1
        out.decisions.append(decision)
        out.persons.append(int(person_id) if person_id is not None else None)
        out.candidate_lists.append(candidates[:20])
    return out


def _dispatch_items(
    push_list: PushList,
    staged: pl.DataFrame,
    addresses: list[str | None],
    resolutions: dict[str | None, Resolution],
    persons: list[int | None],
) -> list[DispatchItem | None]:
    """What to dispatch for each record (None for a record without a person)."""
    return [
        DispatchItem(
            person_id=person_id,
            village_id=resolutions[addresses[key]].village_id,
            resolved_area_id=resolutions[addresses[key]].area_id,
            category=category,
            received_at=push_list.received_at,
            row_number=row_number,
        )
        if (person_id := persons[key]) is not None
        else None
        for key, (category, row_number) in enumerate(
            zip(staged["category"], staged["row_number"], strict=True)
        )
    ]


def _insert_records(
    push_list: PushList,
    staged: pl.DataFrame,
    linked: dict[int, dict],
    resolutions: dict[str | None, Resolution],
    outcomes: _Outcomes,
    items: list[DispatchItem | None],
    origins: list[OriginRisk | None],
    *,
    acting_user,
) -> None:
    """Write the push records ``BATCH`` at a time, each batch followed by the
    source records of the persons it names (but those a record created)."""
    origin_city = push_list.source.origin_city
    insert = Inserter(PushRecord, RECORD_FIELDS)
    sources: list[tuple[int, dict]] = []
    for start in range(0, staged.height, BATCH):
        rows = []
        for row in staged.slice(start, BATCH).iter_rows(named=True):
            key = row["record_key"]
            payload = json.loads(row["payload"]) if row["payload"] else {}
            item = items[key]
            rows.append(
                _record_row(
                    push_list,
                    row,
                    payload,
                    origin_city,
                    linked[key],
                    resolutions[row["address"]],
                    origins[key],
                    person=outcomes.persons[key],
                    decision=outcomes.decisions[key],
                    candidates=outcomes.candidate_lists[key],
                    task_id=item.task_id if item is not None else None,
                )
            )
            person = outcomes.persons[key]
            if person is not None and key not in outcomes.first_of_new_person:
                sources.append((person, payload))
        insert.run(rows)
        _source_records(sources, push_list, acting_user=acting_user)
        sources = []


def _record_row(
    push_list: PushList,
    row: dict[str, Any],
    payload: dict,
    origin_city: str,
    outcome: dict,
    res: Resolution,
    origin: OriginRisk | None,
    *,
    person: int | None,
    decision: str,
    candidates: list[int],
    task_id: int | None,
) -> tuple:
    """One push record's values, in the order of ``RECORD_FIELDS``: the risk
    level weighed against the zones over the origin (``origins.weigh``)."""
    risk_level, disagreement = weigh(row["risk_level"] or "", origin)
    warnings = json.loads(row["warnings"]) if row.get("warnings") else []
    if disagreement:
        warnings.append(disagreement)
    return (
        push_list.pk,
        push_list.source_id,
        row["row_number"],
        row["fingerprint"],
        row["name"],
        row["identity_number"] or "",
        row["phone"] or "",
        row["sex"] or "",
        row["birth_date"],
        row["address"] or "",
        row["category"],
        row["origin"] or origin_city,
        risk_level,
        row["exposure_at"],
        row["arrived_at"],
        payload,
        warnings,
        push_list.received_at,
        person,
        decision,
        outcome["match_probability"],
        outcome["method"] or "",
        candidates,
        res.village_id,
        res.area_id,
        res.confidence,
        task_id,
        "",
    )


def _source_records(records: list[tuple[int, dict]], push_list: PushList, *, acting_user) -> None:
    """Each record about a person is one of that person's source records, as received."""
    received_by = actor_user(acting_user)
    now = timezone.now()
    Inserter(
        SourceRecord,
        ["person", "source", "source_ref", "payload", "received_at", "received_by"],
    ).run(
        [
            (
                person_id,
                SourceRecord.Source.PUSH_LIST,
                f"screening.push_list:{push_list.pk}",
                payload,
                now,
                received_by.pk if received_by else None,
            )
            for person_id, payload in records
        ]
    )


# ---------------------------------------------------------------- review queue


def can_review(user) -> bool:
    return has_capability(user, "merge_person") or (
        has_capability(user, "edit_person") and has_capability(user, "view_identity")
    )


def _check_reviewer(acting_user, record: PushRecord) -> None:
    if not can_review(acting_user):
        raise PermissionDenied("requires the merge_person capability")
    if not jurisdiction.can_see_area(acting_user, record.resolved_area):
        raise PermissionDenied("outside your jurisdiction")


def _locked_pending(record: PushRecord) -> PushRecord:
    record = (
        PushRecord.objects.select_for_update().select_related("push_list__source").get(pk=record.pk)
    )
    if record.decision != Decision.REVIEW or record.reviewed_at is not None:
        raise ValidationError(_("This record has been reviewed already."))
    return record


@transaction.atomic
def do_confirm_candidate(
    record: PushRecord, person: Person, *, acting_user, request=None
) -> PushRecord:
    """The record is this person (one of its candidates): link and dispatch it."""
    _check_reviewer(acting_user, record)
    record = _locked_pending(record)
    if person.pk not in record.candidates:
        raise ValidationError(_("This person is not among the record's candidates."))
    if person.merged_into is not None:
        person = person.merged_into
    return _decide(record, person, "confirm", acting_user=acting_user, request=request)


@transaction.atomic
def do_reject_candidates(record: PushRecord, *, acting_user, request=None) -> PushRecord:
    """The record is none of its candidates: a new person is created from it."""
    _check_reviewer(acting_user, record)
    record = _locked_pending(record)
    row = {
        "fingerprint": record.fingerprint,
        "identity_number": record.identity_number,
        "name": record.name,
        "sex": record.sex,
        "birth_date": record.birth_date,
        "phone": record.phone,
        "address": record.address,
    }
    village_code = record.village.code if record.village is not None else None
    created = _create_persons(
        [(row, Resolution(village_code=village_code))], record.push_list, acting_user=acting_user
    )
    if record.fingerprint not in created:
        raise ValidationError(
            _(
                "The person index refused to create a person from this record "
                "(a live person holds its identity number?): confirm that person instead."
            )
        )
    person = Person.objects.get(pk=created[record.fingerprint])
    return _decide(record, person, "reject", acting_user=acting_user, request=request, new=True)


def _decide(
    record: PushRecord, person: Person, how: str, *, acting_user, request, new: bool = False
) -> PushRecord:
    now = timezone.now()
    record.person = person
    record.decision = Decision.NEW if new else Decision.LINK
    record.method = "review"
    record.reviewed_at = now
    record.reviewed_by_name = actor_name(acting_user)
    item = DispatchItem(
        person_id=person.pk,
        village_id=record.village_id,
        resolved_area_id=record.resolved_area_id,
        category=record.category,
        received_at=record.received_at,
        row_number=record.row_number,
    )
    dispatch([item], acting_user=acting_user)
    record.task_id = item.task_id
    record.save(
        update_fields=["person", "decision", "method", "reviewed_at", "reviewed_by_name", "task"]
    )
    if not new:
        _source_records([(person.pk, record.payload)], record.push_list, acting_user=acting_user)
    audit.record(
        actor=acting_user,
        action=f"screening.review.{how}",
        obj=record,
        detail={"person": person.pk, "candidates": record.candidates},
        request=request,
        area=record.resolved_area,
    )
    recompute_codes(
        {person.pk}, reason=f"screening.push_record:{record.pk}", acting_user=acting_user
    )
    return record
