"""Contacts (密接/次密接/时空伴随者): expansion from exposures, hand-offs, quarantine, release.

``do_expand_contacts`` reads the cases' exposure windows from their
protocols, hands the exposure edges to the contact engine
(``zhanyi.engine.contacts``), stores the contacts it finds (new ones and
secondary contacts upgraded to close), creates the work that follows each of
them (hand-offs to the village team, to transfer and to testing) and
recomputes their health codes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.core import audit
from zhanyi.core.db import bulk
from zhanyi.core.lengths import too_long
from zhanyi.engine import release
from zhanyi.engine.contacts import CASES, EXPOSURES, QUARANTINED, expand_contacts
from zhanyi.engine.protocol import LOCAL_TZ, Protocol, exposure_window
from zhanyi.handoffs import schedule
from zhanyi.handoffs.actions import (
    HandoffSpec,
    HandoffTemplate,
    do_cancel_handoffs,
    do_create_handoffs,
    do_create_planned_handoffs,
    do_extend_test_schedules,
    do_update_handoff_details,
)
from zhanyi.handoffs.models import Handoff, HandoffKind
from zhanyi.handoffs.schedule import ScheduledTest
from zhanyi.people.models import Person
from zhanyi.tracing.models import Case, CaseClassification, Contact, ContactKind, Exposure

from .common import audit_case, aware, protocol, recompute_codes, require

_CHUNK = 20_000


@dataclass
class ExpandResult:
    cases: int = 0
    new_close: int = 0
    new_secondary: int = 0
    upgraded: int = 0
    withdrawn: int = 0
    handoffs: int = 0
    codes_changed: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "cases": self.cases,
            "new_close": self.new_close,
            "new_secondary": self.new_secondary,
            "upgraded": self.upgraded,
            "withdrawn": self.withdrawn,
            "handoffs": self.handoffs,
            "codes_changed": self.codes_changed,
        }


def case_window(case: Case, rules: Protocol) -> tuple[dt.datetime, dt.datetime]:
    """The case's exposure window: from the protocol's days before onset (or the
    positive sample of a case without onset) until isolation (or the result)."""
    return exposure_window(
        rules.exposure,
        case.isolated_at or case.reported_at,
        onset_date=case.onset_date,
        sampling_date=timezone.localtime(case.sampled_at, LOCAL_TZ).date(),
    )


def contact_anchor(contact: Contact, rules: Protocol) -> dt.datetime:
    """What the contact's quarantine days, test days and code count from
    (``[quarantine] count_from``)."""
    return release.anchor(
        rules.quarantine,
        last_exposure_at=contact.last_exposure_at,
        quarantined_at=contact.quarantined_at,
        identified_at=contact.identified_at,
    )


def test_schedule(contact: Contact, rules: Protocol) -> list[ScheduledTest]:
    """The contact's tests under ``rules`` (按期核酸), from the engine
    (``zhanyi.engine.release.test_days``): quarantine day *n* is the *n*-th
    local day from the anchor the quarantine days count from, then a close
    contact's home-monitoring days from the start of monitoring (after a
    release, from the release). Each test's window is its local day."""
    return [
        ScheduledTest(t.stage, t.day, t.start, t.end)
        for t in release.test_days(
            rules.quarantine,
            rules.test_days,
            contact.kind,
            contact_anchor(contact, rules),
            released_at=contact.released_at,
        )
    ]


def handoff_templates(contact: Contact, rules: Protocol) -> list[HandoffTemplate]:
    """The work that follows a close or secondary contact: control by the
    village team, transfer to centralised quarantine (when the protocol's
    first stage is centralised), and one test hand-off to testing carrying the
    contact's test schedule (``test_schedule``); as templates, without the
    contact's id, person and area (``handoff_specs`` adds them).

    Details hold only what the contact row does not: the origin names the
    contact, whose case, kind and protocol are on its row."""
    if contact.kind not in (ContactKind.CLOSE, ContactKind.SECONDARY):
        return []
    found = contact.identified_at
    investigation = TaskForceKind.INVESTIGATION
    templates = [
        HandoffTemplate(
            suffix=":control",
            kind=HandoffKind.CONTROL,
            to_task_force=TaskForceKind.COMMUNITY,
            due_at=found + dt.timedelta(hours=rules.deadlines.control_hours),
            from_task_force=investigation,
        )
    ]
    stages = rules.quarantine.stages(contact.kind)
    if stages and stages[0][0] == "centralised":
        templates.append(
            HandoffTemplate(
                suffix=":transfer",
                kind=HandoffKind.TRANSFER,
                to_task_force=TaskForceKind.TRANSFER,
                due_at=found + dt.timedelta(hours=rules.deadlines.transfer_hours),
                detail={"days": stages[0][1]},
                from_task_force=investigation,
            )
        )
    tests = test_schedule(contact, rules)
    first = schedule.current(tests)
    if first is None:  # released with no home-monitoring test to come
        return templates
    templates.append(
        HandoffTemplate(
            suffix=":tests",
            kind=HandoffKind.TEST,
            to_task_force=TaskForceKind.TESTING,
            not_before=first.not_before,
            due_at=first.due_at,
            detail=schedule.detail_of(tests),
            from_task_force=investigation,
        )
    )
    return templates


#: The origin of a contact's hand-offs is this and the contact's pk.
ORIGIN = "tracing.contact:"


def origin_of(contact_pk: int) -> str:
    """A contact's hand-offs' origin; their keys add ``:control``, ``:transfer``, ``:tests``."""
    return f"{ORIGIN}{contact_pk}"


def handoff_specs(contact: Contact, rules: Protocol) -> list[HandoffSpec]:
    """The hand-offs of one close or secondary contact (``handoff_templates``)."""
    return [
        t.spec(origin=origin_of(contact.pk), person_id=contact.person_id, area_id=contact.area_id)
        for t in handoff_templates(contact, rules)
    ]


def handoff_plans(
    new: pl.DataFrame, *, as_of: dt.datetime
) -> tuple[pl.DataFrame, dict[int, list[HandoffTemplate]]]:
    """``handoff_specs`` for a frame of new contacts (``NEW_CONTACTS``, all
    identified at ``as_of`` and not yet in quarantine), as records and plans
    for ``do_create_planned_handoffs``.

    A new contact's hand-offs depend on its protocol, its kind and (for a
    close contact's home-monitoring tests) the local day of its last
    exposure: contacts that share those share a plan, made by
    ``handoff_templates`` from one of them, so the rows are those of
    ``handoff_specs``."""
    last_day = pl.col("last_exposure_at").dt.convert_time_zone(str(LOCAL_TZ)).dt.date()
    keyed = new.with_columns(last_day=last_day)
    groups = keyed.group_by(["protocol", "kind", "last_day"], maintain_order=True).agg(
        pl.col("last_exposure_at").first()
    )
    plans: dict[int, list[HandoffTemplate]] = {}
    for n, (name, kind, _day, last) in enumerate(groups.iter_rows()):
        one = Contact(
            kind=kind,
            protocol=name,
            identified_at=as_of,
            quarantined_at=None,
            last_exposure_at=last,
        )
        plans[n] = handoff_templates(one, protocol(name))
    records = keyed.join(
        groups.select("protocol", "kind", "last_day").with_row_index("plan"),
        on=["protocol", "kind", "last_day"],
    ).select(
        (pl.lit(ORIGIN) + pl.col("pk").cast(pl.String)).alias("origin"),
        "person_id",
        "area_id",
        pl.col("plan").cast(pl.Int64),
    )
    return records, plans


def hand_off_upgraded(contacts: list[Contact], *, acting_user, label: str) -> int:
    """The hand-offs of contacts now of a stronger kind (a secondary contact
    become close): what they lack is created, and their test hand-off gets the
    close contact's schedule, keeping the tests done. Returns how many
    hand-offs were created."""
    specs = [s for c in contacts for s in handoff_specs(c, protocol(c.protocol))]
    created = do_create_handoffs(specs, acting_user=acting_user, origin_label=label)
    do_extend_test_schedules(specs, acting_user=acting_user, reason=label)
    do_update_handoff_details(specs, acting_user=acting_user, reason=label)
    return created


def _frame(rows, schema: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=list(schema), orient="row").cast(schema)


def _person_villages(person_ids: list[int]) -> dict[int, int | None]:
    out: dict[int, int | None] = {}
    for i in range(0, len(person_ids), _CHUNK):
        out.update(
            Person.objects.filter(pk__in=person_ids[i : i + _CHUNK]).values_list("pk", "village_id")
        )
    return out


def _expand_group(
    cases: list[Case],
    rules: Protocol,
    *,
    as_of: dt.datetime,
    positives: list[int],
    case_persons: list[int],
) -> pl.DataFrame:
    windows = []
    for case in cases:
        start, end = case_window(case, rules)
        windows.append((case.pk, case.person_id, start, end))
    earliest = min(w[2] for w in windows)
    exposures = bulk.read_frame(
        Exposure,
        ["person_a_id", "person_b_id", "exposed_at", "setting", "certainty"],
        EXPOSURES,
        where="exposed_at >= %s AND exposed_at < %s",
        params=[earliest, as_of],
    )
    quarantined = bulk.read_frame(
        Contact, ["person_id", "quarantined_at"], QUARANTINED, where="quarantined_at IS NOT NULL"
    )
    return expand_contacts(
        _frame(windows, CASES),
        exposures,
        quarantined,
        as_of=as_of,
        max_depth=rules.contacts.max_depth,
        settings=rules.contacts.settings,
        certainties=rules.contacts.certainties,
        positive_person_ids=positives,
        case_person_ids=case_persons,
        upgrade_secondary=rules.contacts.upgrade_secondary,
    )


#: New contacts as stored, for hand-offs and codes.
NEW_CONTACTS: dict[str, pl.DataType | type[pl.DataType]] = {
    "pk": pl.Int64,
    "case_id": pl.Int64,
    "person_id": pl.Int64,
    "area_id": pl.Int64,
    "kind": pl.String,
    "last_exposure_at": pl.Datetime("us", "UTC"),
    "protocol": pl.String,
}


def _store_new(
    found: pl.DataFrame, case_by_id: dict[int, Case], *, as_of: dt.datetime
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The new contacts go straight into the table in one bulk write (COPY on
    PostgreSQL), with ids reserved beforehand and each contact's area (their
    village, else the case's) looked up; returns the new rows as stored and
    the (pk, kind, depth, via) of contacts to upgrade. A person id that is not
    in the person index is refused, naming it, and nothing is written."""
    where, params = bulk.ids_sql("case_id", sorted(case_by_id))
    existing = bulk.read_frame(
        Contact,
        [
            "case_id",
            "person_id",
            "id",
            "kind",
            "depth",
            "via_id",
            "first_exposure_at",
            "last_exposure_at",
        ],
        {
            "case_id": pl.Int64,
            "person_id": pl.Int64,
            "pk": pl.Int64,
            "old_kind": pl.String,
            "old_depth": pl.Int32,
            "old_via": pl.Int64,
            "old_first": bulk.TIMESTAMP,
            "old_last": bulk.TIMESTAMP,
        },
        where=where,
        params=params,
    ).filter(pl.col("case_id").is_in(list(case_by_id)))
    joined = found.join(existing, on=["case_id", "person_id"], how="left")
    # Stored contacts take the engine's answer (kind, reached through, depth,
    # exposures), so the same facts give the same rows whatever the order
    # they were recorded in. A companion found by exposures becomes close or
    # secondary (the engine finds no companions, so this only strengthens).
    # Only the rows whose answer differs are loaded and written.
    stronger = joined.filter(
        pl.col("pk").is_not_null()
        & (
            (pl.col("kind") != pl.col("old_kind"))
            | (pl.col("depth") != pl.col("old_depth"))
            | pl.col("via_person_id").ne_missing(pl.col("old_via"))
            | (pl.col("first_exposure_at") != pl.col("old_first"))
            | (pl.col("last_exposure_at") != pl.col("old_last"))
        )
    )
    cases = pl.DataFrame(
        [(c.pk, c.area_id, c.protocol) for c in case_by_id.values()],
        schema={"case_id": pl.Int64, "case_area_id": pl.Int64, "protocol": pl.String},
        orient="row",
    )
    fresh = joined.filter(pl.col("pk").is_null()).join(cases, on="case_id")
    if fresh.height == 0:
        return pl.DataFrame(schema=NEW_CONTACTS), stronger
    person_ids = fresh["person_id"].unique().sort().to_list()
    where, params = bulk.ids_sql("id", person_ids)
    villages = bulk.read_frame(
        Person,
        ["id", "village_id"],
        {"person_id": pl.Int64, "village_id": pl.Int64},
        where=where,
        params=params,
    ).with_columns(known=pl.lit(True))
    fresh = fresh.join(villages, on="person_id", how="left")
    unknown = fresh.filter(pl.col("known").is_null())["person_id"].unique().sort()
    if unknown.len():
        shown = ", ".join(map(str, unknown.head(10).to_list()))
        raise ValueError(f"contacts: no person with id {shown}")
    # In (case, person) order with ascending ids: the primary key and the
    # case/person constraint's index both grow at their right edge.
    fresh = fresh.sort("case_id", "person_id").with_columns(
        id=pl.Series(bulk.reserve_ids(Contact, fresh.height), dtype=pl.Int64),
        area_id=pl.coalesce("village_id", "case_area_id"),
    )
    bulk.copy_frame(
        Contact,
        fresh.select(
            "id",
            "case_id",
            "person_id",
            "area_id",
            "kind",
            pl.col("depth").cast(pl.Int16),
            pl.col("via_person_id").alias("via_id"),
            "first_exposure_at",
            "last_exposure_at",
            pl.lit(as_of).cast(bulk.TIMESTAMP).alias("identified_at"),
            pl.when(pl.col("upgraded"))
            .then(pl.lit(as_of))
            .cast(bulk.TIMESTAMP)
            .alias("upgraded_at"),
            "protocol",
        ),
    )
    new = fresh.select(
        pl.col("id").alias("pk"),
        "case_id",
        "person_id",
        "area_id",
        "kind",
        pl.col("last_exposure_at").cast(bulk.TIMESTAMP),
        "protocol",
    )
    return new, stronger


def _store(
    found: pl.DataFrame, case_by_id: dict[int, Case], *, as_of: dt.datetime
) -> tuple[pl.DataFrame, list[Contact]]:
    """Store the engine's contacts that are new and bring the stored ones to
    the engine's answer; return the new ones and the stored ones that changed."""
    new, stronger = _store_new(found, case_by_id, as_of=as_of)
    return new, _update(stronger, as_of)


_FOLLOWED = ("kind", "depth", "via_id", "first_exposure_at", "last_exposure_at")


def _update(rows: pl.DataFrame, as_of: dt.datetime) -> list[Contact]:
    """Stored contacts brought to the engine's answer: their kind (a secondary
    contact become close, ``upgraded_at``; or secondary again when the upgrade
    no longer holds), another depth or person they were reached through, other
    first or last exposures. Returns those that changed."""
    if rows.height == 0:
        return []
    changes = {r["pk"]: r for r in rows.iter_rows(named=True)}
    changed = []
    for contact in Contact.objects.filter(pk__in=list(changes)):
        r = changes[contact.pk]
        before = tuple(getattr(contact, f) for f in _FOLLOWED)
        if contact.kind == ContactKind.SECONDARY and r["kind"] == ContactKind.CLOSE:
            contact.upgraded_at = as_of
        elif r["kind"] == ContactKind.SECONDARY:
            contact.upgraded_at = None  # the upgrade no longer holds
        contact.kind = r["kind"]
        contact.depth = r["depth"]
        contact.via_id = r["via_person_id"]
        contact.first_exposure_at = r["first_exposure_at"]
        contact.last_exposure_at = r["last_exposure_at"]
        if tuple(getattr(contact, f) for f in _FOLLOWED) != before:
            changed.append(contact)
    Contact.objects.bulk_update(changed, [*_FOLLOWED, "upgraded_at"])
    return changed


def _withdraw(
    found: pl.DataFrame, case_by_id: dict[int, Case], *, acting_user, reason: str
) -> list[tuple[int, int]]:
    """Close and secondary contacts of these cases that the engine no longer
    finds (a quarantine, a voided exposure or a new case recorded since cut
    the chain that reached them) are removed: their open hand-offs are
    cancelled with the reason, the row goes, and the audit record keeps what
    it was. Returns their (contact pk, person id)."""
    held = found.select("case_id", "person_id")
    where, params = bulk.ids_sql("case_id", sorted(case_by_id))
    stored = bulk.read_frame(
        Contact,
        ["id", "case_id", "person_id", "kind"],
        {"pk": pl.Int64, "case_id": pl.Int64, "person_id": pl.Int64, "kind": pl.String},
        where=where,
        params=params,
    ).filter(
        pl.col("case_id").is_in(list(case_by_id))
        & pl.col("kind").is_in([ContactKind.CLOSE.value, ContactKind.SECONDARY.value])
    )
    gone = stored.join(held, on=["case_id", "person_id"], how="anti").sort("pk")
    if gone.height == 0:
        return []
    rows = list(gone.select("pk", "person_id").iter_rows())
    do_cancel_handoffs(
        Handoff.objects.filter(
            person_id__in=[p for _pk, p in rows], origin__in=[origin_of(pk) for pk, _p in rows]
        ),
        acting_user=acting_user,
        reason=f"no longer a contact: {reason}",
    )
    removed = list(
        Contact.objects.filter(pk__in=[pk for pk, _p in rows]).values(
            "pk",
            "case_id",
            "person_id",
            "kind",
            "depth",
            "via_id",
            "first_exposure_at",
            "last_exposure_at",
            "identified_at",
            "quarantined_at",
            "released_at",
        )
    )
    Contact.objects.filter(pk__in=[pk for pk, _p in rows]).delete()
    for case_id in sorted({r["case_id"] for r in removed}):
        audit_case(
            "contacts.withdraw",
            acting_user=acting_user,
            case=case_by_id[case_id],
            detail={
                "reason": reason,
                "contacts": [
                    {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in r.items()}
                    for r in removed
                    if r["case_id"] == case_id
                ][:1000],
            },
        )
    return rows


def cancel_for_cases(contacts: list[Contact], *, acting_user) -> int:
    """A contact who is now a case is managed as a case: the open hand-offs
    of their contact row (control, transfer, tests) are cancelled."""
    if not contacts:
        return 0
    return do_cancel_handoffs(
        Handoff.objects.filter(
            person_id__in=[c.person_id for c in contacts],
            origin__in=[origin_of(c.pk) for c in contacts],
        ),
        acting_user=acting_user,
        reason="the contact is now a case",
    )


@transaction.atomic
def do_expand_contacts(
    cases: Iterable[Case] | None = None,
    *,
    acting_user,
    as_of: dt.datetime | None = None,
    request=None,
) -> ExpandResult:
    """Find the close and secondary contacts of ``cases`` (every case when None)
    and store what is new; idempotent: expanding again adds only what changed."""
    t0 = time.perf_counter()
    as_of = aware(as_of or timezone.now(), "as_of")
    chosen = list(
        Case.objects.select_related("area").filter(pk__in=[c.pk for c in cases])
        if cases is not None
        else Case.objects.select_related("area").all()
    )
    for case in chosen:
        require(acting_user, "edit_person", case.area)
    result = ExpandResult(cases=len(chosen))
    if not chosen:
        return result
    case_persons = sorted(set(Case.objects.values_list("person_id", flat=True)))
    positives = sorted(
        set(
            Case.objects.exclude(classification=CaseClassification.SUSPECTED).values_list(
                "person_id", flat=True
            )
        )
    )
    by_protocol: dict[str, list[Case]] = defaultdict(list)
    for case in chosen:
        by_protocol[case.protocol].append(case)
    found = pl.concat(
        [
            _expand_group(
                group, protocol(name), as_of=as_of, positives=positives, case_persons=case_persons
            )
            for name, group in sorted(by_protocol.items())
        ]
    )
    result.seconds["engine_s"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    case_by_id = {c.pk: c for c in chosen}
    ids = list(case_by_id)
    label = f"tracing.expand:{len(chosen)} cases"
    withdrawn = _withdraw(
        found,
        case_by_id,
        acting_user=acting_user,
        reason=f"the facts recorded by {as_of.isoformat()} no longer reach them ({label})",
    )
    new, changed = _store(found, case_by_id, as_of=as_of)
    now_cases = set(case_persons)
    result.new_close = new.filter(pl.col("kind") == ContactKind.CLOSE.value).height
    result.new_secondary = new.filter(pl.col("kind") == ContactKind.SECONDARY.value).height
    result.upgraded = sum(1 for c in changed if c.upgraded_at == as_of)
    result.withdrawn = len(withdrawn)
    result.seconds["store_s"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    # A person who is a case is kept in the chain but gets no contact's work.
    records, plans = handoff_plans(
        new.filter(~pl.col("person_id").is_in(sorted(now_cases))), as_of=as_of
    )
    result.handoffs = do_create_planned_handoffs(
        records, plans, acting_user=acting_user, origin_label=label
    ) + hand_off_upgraded(
        [c for c in changed if c.person_id not in now_cases], acting_user=acting_user, label=label
    )
    stored_cases = Contact.objects.filter(case_id__in=ids, person_id__in=sorted(now_cases)).only(
        "pk", "person_id"
    )
    cancel_for_cases(list(stored_cases), acting_user=acting_user)
    result.seconds["handoffs_s"] = time.perf_counter() - t2

    audit.record(
        actor=acting_user,
        action="contacts.expand",
        object_type="tracing.case",
        object_id=str(chosen[0].pk) if len(chosen) == 1 else "",
        object_label=f"{len(chosen)} cases",
        detail={**result.as_dict(), "case_ids": ids[:1000]},
        request=request,
        area=chosen[0].area if len(chosen) == 1 else None,
    )
    t3 = time.perf_counter()
    result.codes_changed = recompute_codes(
        [
            *new["person_id"].to_list(),
            *(c.person_id for c in changed),
            *(person for _pk, person in withdrawn),
        ],
        reason=f"tracing: contacts of {len(chosen)} case(s) expanded",
        acting_user=acting_user,
    )
    result.seconds["codes_s"] = time.perf_counter() - t3
    return result


@transaction.atomic
def do_mark_quarantined(
    contact: Contact, *, acting_user, quarantined_at: dt.datetime, request=None
) -> Contact:
    """The contact is in quarantine from ``quarantined_at``: their exposures after
    that no longer make secondary contacts. The cases with contacts reached
    through them are expanded again at once, so the secondary contacts the
    quarantine cuts off are withdrawn now (their hand-offs cancelled, their
    codes recomputed), as if the quarantine had been recorded first; the
    contact's own code is recomputed (it may count from the quarantine)."""
    contact = Contact.objects.select_related("case", "case__person", "case__area").get(
        pk=contact.pk
    )
    require(acting_user, "edit_person", contact.area)
    aware(quarantined_at, "quarantined_at")
    if quarantined_at < contact.first_exposure_at:
        raise ValidationError(
            {"quarantined_at": _("Quarantine cannot start before the first exposure.")}
        )
    before = contact.quarantined_at
    contact.quarantined_at = quarantined_at
    contact.save(update_fields=["quarantined_at"])
    audit_case(
        "contact.quarantined",
        acting_user=acting_user,
        case=contact.case,
        request=request,
        detail={"contact": contact.pk, "at": quarantined_at.isoformat()},
    )
    # Only chains through them with an exposure from the quarantine on change
    # (a quarantine moved to a later time may give back what it cut: all
    # their cases are expanded then).
    through = (
        Contact.objects.filter(person_id=contact.person_id)
        if before is not None and before != quarantined_at
        else Contact.objects.filter(via_id=contact.person_id, last_exposure_at__gte=quarantined_at)
    )
    reached = Case.objects.filter(pk__in=through.values("case_id"))
    if reached.exists():
        do_expand_contacts(reached, acting_user=acting_user, request=request)
    recompute_codes(
        [contact.person_id],
        reason=f"{origin_of(contact.pk)} in quarantine",
        acting_user=acting_user,
    )
    return contact


_RELEASED = "contact released: "


@transaction.atomic
def do_release_contact(
    contact: Contact,
    *,
    acting_user,
    released_at: dt.datetime | None = None,
    reason: str,
    request=None,
) -> Contact:
    """Release a contact (解除隔离): their open hand-offs are cancelled and the
    code recomputed."""
    contact = Contact.objects.select_related("case", "case__person", "case__area").get(
        pk=contact.pk
    )
    require(acting_user, "edit_person", contact.area)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the contact is released.")})
    # The reason closes the hand-offs after _RELEASED, whole.
    if long := too_long(Handoff, "outcome", reason.strip(), after=_RELEASED):
        raise ValidationError({"reason": long})
    if contact.released_at is not None:
        raise ValidationError({"released_at": _("The contact is already released.")})
    contact.released_at = aware(released_at or timezone.now(), "released_at")
    contact.save(update_fields=["released_at"])
    # The release ends the quarantine: control, transfer and the quarantine's
    # tests are cancelled; the home-monitoring tests the protocol requires
    # after release (8th edition: days 2 and 7) stay on the test hand-off,
    # counted from the release, with the tests done kept.
    monitoring = [
        s for s in handoff_specs(contact, protocol(contact.protocol)) if s.kind == HandoffKind.TEST
    ]
    do_extend_test_schedules(monitoring, acting_user=acting_user, reason=_RELEASED + reason.strip())
    kept = {s.key for s in monitoring}
    do_cancel_handoffs(
        # By person first: the person index finds them (origin has none).
        Handoff.objects.filter(person_id=contact.person_id, origin=origin_of(contact.pk)).exclude(
            key__in=kept
        ),
        acting_user=acting_user,
        reason=_RELEASED + reason.strip(),
    )
    audit_case(
        "contact.release",
        acting_user=acting_user,
        case=contact.case,
        request=request,
        detail={"contact": contact.pk, "reason": reason.strip()},
    )
    recompute_codes(
        [contact.person_id],
        reason=f"{origin_of(contact.pk)} released",
        acting_user=acting_user,
    )
    return contact
