"""Writes of health codes (健康码): recompute by rule, manual overrides, refresh.

``do_recompute_codes`` is the one path by which a code changes by rule. Every
app that changes a fact (a case, a contact, a test result, an arrival, a
placement) calls it with the persons concerned. It is a bulk path: persons are
taken in batches; each batch's facts are gathered from every contributor
(``zhanyi.people.health_facts.gather``), decided in the engine
(``zhanyi.engine.codes.decide_many``) and only the codes that changed are
written through ``zhanyi.core.db.bulk``, plus one history row each. The
whole call is one transaction and one audit record.

No capability is checked there: the code is a function of facts that were
written by checked actions, so anyone who may change a fact may cause the
code to follow it. Overrides are different: a person asks (``edit_person``),
a *different* person approves (``approve``), both in the person's
jurisdiction, and each step is audited.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts import audit
from zhanyi.core import collector
from zhanyi.core.actors import actor_name
from zhanyi.core.db import bulk, dialect
from zhanyi.engine.codes import CodeDecision, CodeRules, decide_many
from zhanyi.engine.protocol import DEFAULT_PROTOCOL, Protocol, load_protocol
from zhanyi.people.health_facts import for_persons, gather
from zhanyi.people.models import (
    Colour,
    DecidedBy,
    HealthCode,
    HealthCodeChange,
    HealthCodeOverride,
    Person,
)

from .common import actor_user, audit_person, require_person

BATCH_SIZE = 5000
#: Persons per batch on PostgreSQL, where facts are read and codes written by COPY.
BULK_BATCH_SIZE = 50_000
OVERRIDE_RULE = "override"
_PROTOCOLS: dict[str, Protocol] = {}


def protocol(name: str = DEFAULT_PROTOCOL) -> Protocol:
    if name not in _PROTOCOLS:
        _PROTOCOLS[name] = load_protocol(name)
    return _PROTOCOLS[name]


def code_rules(contact_protocols: Iterable[str] = ()) -> CodeRules:
    """The rules in force (the default protocol), with the quarantine days of
    every protocol a contact was traced under."""
    others = []
    for name in sorted({n for n in contact_protocols if n and n != DEFAULT_PROTOCOL}):
        try:
            others.append(protocol(name))
        except FileNotFoundError:
            continue  # an unknown name falls back to the protocol in force
    return CodeRules.from_protocol(protocol(), others)


class _Code(NamedTuple):
    """A code as it will be stored (a tuple: built once per person, so cheap)."""

    colour: str
    rule: str
    reason: str
    until: dt.datetime | None
    review_at: dt.datetime | None
    decided_by: str
    override_id: int | None


def _code_from(decision: CodeDecision, override: HealthCodeOverride | None) -> _Code:
    if override is None:
        return _Code(
            decision.colour,
            decision.rule,
            decision.reason[:500],
            decision.until,
            decision.review_at,
            DecidedBy.RULE,
            None,
        )
    review = [t for t in (decision.review_at, override.expires_at) if t is not None]
    return _Code(
        override.colour,
        OVERRIDE_RULE,
        f"manual override #{override.pk}: {override.reason}"[:500],
        override.expires_at,
        min(review),
        DecidedBy.OVERRIDE,
        override.pk,
    )


CODE_COLUMNS = (
    "person_id",
    "colour",
    "rule",
    "reason",
    "until",
    "review_at",
    "decided_by",
    "override_id",
    "changed_at",
    "decided_at",
)
CHANGE_COLUMNS = (
    "person_id",
    "colour",
    "previous_colour",
    "rule",
    "reason",
    "until",
    "decided_by",
    "override_id",
    "trigger",
    "changed_at",
    "changed_by_id",
    "changed_by_name",
)
# A stored code: (colour, rule, reason, until, review_at, decided_by, override_id, changed_at).
_STORED = ("colour", "rule", "reason", "until", "review_at", "decided_by", "override_id")


def _write(new: list[tuple], replaced: list[tuple], history: list[tuple]) -> None:
    """Write a batch: codes of persons who had none, codes replaced (rows of
    CODE_COLUMNS) and their history (rows of CHANGE_COLUMNS).

    Codes are upserts, so two recomputes of one person at the same moment
    serialise on the row instead of colliding; most of a contact graph's
    codes are new, so those go straight in (see ``bulk.upsert_many``)."""
    bulk.upsert_many(HealthCode, CODE_COLUMNS, new, key=["person_id"], mostly_new=True)
    bulk.upsert_many(HealthCode, CODE_COLUMNS, replaced, key=["person_id"])
    bulk.insert_many(HealthCodeChange, CHANGE_COLUMNS, history)


def _in_batch(queryset, field: str, batch: list[int]):
    return for_persons(queryset, batch, field)


def _batch_size() -> int:
    # PostgreSQL reads facts by COPY and writes by COPY: bigger batches mean
    # fewer statements; SQLite binds every id, and caps the number of them.
    return dialect.pick(postgresql=BULK_BATCH_SIZE, sqlite=BATCH_SIZE)


def _recompute(
    person_ids: Iterable[int], *, trigger: str, acting_user, now: dt.datetime
) -> tuple[int, Counter]:
    """Decide and write the codes of ``person_ids``; the number of changes and
    their colours. Runs inside the caller's transaction.

    The write is one insert of new codes, one upsert of replaced codes and
    one insert of their history per batch, whatever the number of persons.
    """
    ids = sorted({int(pid) for pid in person_ids})
    user = actor_user(acting_user)
    user_id = user.pk if user else None
    name = actor_name(acting_user)
    trigger = trigger[:255]
    changed = 0
    colours: Counter = Counter()
    size = _batch_size()
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        wanted = set(batch)
        known = set(_in_batch(Person.objects, "pk", batch).values_list("pk", flat=True))
        missing = sorted(wanted - known)
        if missing:
            shown = ", ".join(str(pid) for pid in missing[:10])
            raise ValueError(f"health codes: no person with id {shown}")
        facts = gather(batch, now)
        rules = code_rules(c.protocol for f in facts.values() for c in f.contacts)
        decisions = decide_many(facts.values(), rules, now)
        overrides = {
            o.person_id: o
            for o in _in_batch(HealthCodeOverride.objects, "person_id", batch).filter(
                status=HealthCodeOverride.Status.APPROVED, expires_at__gt=now
            )
        }
        current = {
            row[0]: row[1:]
            for row in _in_batch(HealthCode.objects, "person_id", batch).values_list(
                "person_id", *_STORED, "changed_at"
            )
            if row[0] in wanted
        }
        # One _Code per decision (persons with the same facts share it).
        by_decision: dict[int, _Code] = {}
        new_rows: list[tuple] = []
        replaced_rows: list[tuple] = []
        history_rows: list[tuple] = []
        for pid in batch:
            decision = decisions[pid]
            override = overrides.get(pid)
            if override is None:
                new = by_decision.get(id(decision))
                if new is None:
                    new = by_decision[id(decision)] = _code_from(decision, None)
            else:
                new = _code_from(decision, override)
            stored = current.get(pid)
            if stored is None:
                previous = Colour.GREEN
                is_change = not (new.colour == Colour.GREEN and new.decided_by == DecidedBy.RULE)
                if not is_change and new.review_at is None:
                    continue  # green as ever: no row needed
                changed_at = now
                rows = new_rows
            else:
                if stored[:7] == new:
                    continue
                previous = stored[0]
                # A change is a new colour, rule, until or override; a new
                # reason text (one more negative test) or review time is not.
                is_change = (stored[0], stored[1], stored[3], stored[5], stored[6]) != (
                    new.colour,
                    new.rule,
                    new.until,
                    new.decided_by,
                    new.override_id,
                )
                changed_at = now if is_change else stored[7]
                rows = replaced_rows
            rows.append((pid, *new, changed_at, now))
            if is_change:
                changed += 1
                colours[new.colour] += 1
                history_rows.append(
                    (
                        pid,
                        new.colour,
                        previous,
                        new.rule,
                        new.reason,
                        new.until,
                        new.decided_by,
                        new.override_id,
                        trigger,
                        now,
                        user_id,
                        name,
                    )
                )
        _write(new_rows, replaced_rows, history_rows)
    return changed, colours


def do_recompute_codes(
    person_ids: Iterable[int], *, reason: str, acting_user, now: dt.datetime | None = None
) -> int:
    """Decide the health codes of ``person_ids`` again from their facts and
    write the ones that changed; returns how many changed.

    ``reason`` says what changed ("tracing: contacts of case 12") and goes
    into each change's history and the audit record. An id that is not a
    person is an error, and nothing is written.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("do_recompute_codes needs a reason (what fact changed)")
    now = now or timezone.now()
    ids = sorted({int(pid) for pid in person_ids})
    if not ids:
        return 0
    # Millions of small objects for a contact graph: see zhanyi.core.collector.
    with transaction.atomic(), collector.paused():
        changed, colours = _recompute(ids, trigger=reason, acting_user=acting_user, now=now)
        audit.record(
            actor=acting_user,
            action="health_code.recompute",
            object_type=HealthCode._meta.label_lower,
            object_label=f"{len(ids)} persons",
            detail={
                "reason": reason[:255],
                "persons": len(ids),
                "changed": changed,
                "to_colour": dict(colours),
                "person_ids": ids[:50],
            },
        )
    return changed


def all_person_ids() -> list[int]:
    """Every live person, and every person who has a code row (a merged person's
    code must fall back to green)."""
    live = set(Person.objects.filter(merged_into=None).values_list("pk", flat=True))
    live.update(HealthCode.objects.values_list("person_id", flat=True))
    return sorted(live)


# ---------------------------------------------------------------- overrides


def _check_override_input(colour: str, reason: str, expires_at, now: dt.datetime) -> dict:
    errors: dict[str, str] = {}
    if colour not in Colour.values:
        errors["colour"] = _("Choose red, yellow or green.")
    if not reason:
        errors["reason"] = _("Give the reason for the override.")
    if expires_at is None or timezone.is_naive(expires_at):
        errors["expires_at"] = _("Give the date and time at which the override expires.")
    else:
        longest = protocol().health_codes.override_max_days
        if expires_at <= now:
            errors["expires_at"] = _("The expiry must be in the future.")
        elif expires_at > now + dt.timedelta(days=longest):
            errors["expires_at"] = _(
                "An override may last at most %(days)d days (the protocol's limit)."
            ) % {"days": longest}
    return errors


def do_request_override(
    *,
    person: Person,
    colour: str,
    reason: str,
    expires_at: dt.datetime,
    acting_user,
    request=None,
) -> HealthCodeOverride:
    """Ask for a manual override of a person's code; it waits for a second
    person's approval and changes nothing until then."""
    require_person(acting_user, person, "edit_person")
    if person.merged_into_id:
        raise ValidationError(_("A merged person has no code of their own; use the survivor."))
    reason = (reason or "").strip()
    now = timezone.now()
    errors = _check_override_input(colour, reason, expires_at, now)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        override = HealthCodeOverride.objects.create(
            person=person,
            colour=colour,
            reason=reason[:500],
            expires_at=expires_at,
            requested_by=acting_user,
            requested_at=now,
        )
        audit_person(
            "health_code.override_requested",
            acting_user=acting_user,
            person=person,
            request=request,
            detail={
                "override": override.pk,
                "colour": colour,
                "reason": reason[:255],
                "expires_at": expires_at.isoformat(),
            },
        )
    return override


def _lock_pending(override: HealthCodeOverride, acting_user) -> HealthCodeOverride:
    locked = HealthCodeOverride.objects.select_for_update().get(pk=override.pk)
    require_person(acting_user, override.person, "approve")
    if locked.requested_by_id == getattr(acting_user, "pk", None):
        raise PermissionDenied(
            _("A second person must decide on an override: you asked for this one.")
        )
    if locked.status != HealthCodeOverride.Status.PENDING:
        raise ValidationError(
            _("This override is no longer awaiting approval (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def do_approve_override(
    *, override: HealthCodeOverride, acting_user, note: str = "", request=None
) -> HealthCodeOverride:
    """Approve a pending override (needs ``approve``, and someone other than
    the requester); the code follows it at once, until it expires."""
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_pending(override, acting_user)
        if locked.expires_at <= now:
            raise ValidationError(_("This override expired before it was approved."))
        # Any override in force for the person ends: one at a time.
        HealthCodeOverride.objects.filter(
            person_id=locked.person_id, status=HealthCodeOverride.Status.APPROVED
        ).update(status=HealthCodeOverride.Status.ENDED, closed_at=now)
        locked.status = HealthCodeOverride.Status.APPROVED
        locked.decided_by = acting_user
        locked.decided_at = now
        locked.decision_note = (note or "").strip()[:500]
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_person(
            "health_code.override_approved",
            acting_user=acting_user,
            person=override.person,
            request=request,
            detail={"override": locked.pk, "colour": locked.colour, "note": locked.decision_note},
        )
        _recompute(
            [locked.person_id],
            trigger=f"override #{locked.pk} approved",
            acting_user=acting_user,
            now=now,
        )
    override.refresh_from_db()
    return override


def do_reject_override(
    *, override: HealthCodeOverride, acting_user, note: str, request=None
) -> HealthCodeOverride:
    """Reject a pending override, saying why; the code stays as the rules decide."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the override is rejected.")})
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_pending(override, acting_user)
        locked.status = HealthCodeOverride.Status.REJECTED
        locked.decided_by = acting_user
        locked.decided_at = now
        locked.closed_at = now
        locked.decision_note = note[:500]
        locked.save(
            update_fields=["status", "decided_by", "decided_at", "closed_at", "decision_note"]
        )
        audit_person(
            "health_code.override_rejected",
            acting_user=acting_user,
            person=override.person,
            request=request,
            detail={"override": locked.pk, "note": locked.decision_note},
        )
    override.refresh_from_db()
    return override


def do_end_override(
    *, override: HealthCodeOverride, acting_user, note: str, request=None
) -> HealthCodeOverride:
    """End an override in force before it expires (``approve``); the rules decide again."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the override ends early.")})
    now = timezone.now()
    with transaction.atomic():
        locked = HealthCodeOverride.objects.select_for_update().get(pk=override.pk)
        require_person(acting_user, override.person, "approve")
        if locked.status != HealthCodeOverride.Status.APPROVED:
            raise ValidationError(_("Only an override in force can be ended."))
        locked.status = HealthCodeOverride.Status.ENDED
        locked.closed_at = now
        locked.decision_note = (f"{locked.decision_note}\n{note}".strip())[:500]
        locked.save(update_fields=["status", "closed_at", "decision_note"])
        audit_person(
            "health_code.override_ended",
            acting_user=acting_user,
            person=override.person,
            request=request,
            detail={"override": locked.pk, "note": note[:255]},
        )
        _recompute(
            [locked.person_id],
            trigger=f"override #{locked.pk} ended",
            acting_user=acting_user,
            now=now,
        )
    override.refresh_from_db()
    return override


# ---------------------------------------------------------------- the clock


@dataclass(frozen=True)
class RefreshResult:
    expired_overrides: int
    reviewed: int
    changed: int


def do_refresh_codes(*, acting_user, now: dt.datetime | None = None) -> RefreshResult:
    """What the clock changes: overrides past their expiry end (the rules decide
    again) and codes whose ``until`` or review time has passed are decided
    again. Safe to run as often as a scheduler likes."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = list(
            HealthCodeOverride.objects.select_for_update(of=("self",))
            .filter(status=HealthCodeOverride.Status.APPROVED, expires_at__lte=now)
            .select_related("person__village")
        )
        for override in expired:
            override.status = HealthCodeOverride.Status.EXPIRED
            override.closed_at = now
            override.save(update_fields=["status", "closed_at"])
            audit_person(
                "health_code.override_expired",
                acting_user=acting_user,
                person=override.person,
                detail={"override": override.pk, "expired_at": override.expires_at.isoformat()},
            )
        # Pending requests past their expiry can no longer be approved.
        HealthCodeOverride.objects.filter(
            status=HealthCodeOverride.Status.PENDING, expires_at__lte=now
        ).update(status=HealthCodeOverride.Status.EXPIRED, closed_at=now)
        due = set(HealthCode.objects.filter(review_at__lte=now).values_list("person_id", flat=True))
        due.update(HealthCode.objects.filter(until__lte=now).values_list("person_id", flat=True))
        due.update(o.person_id for o in expired)
        changed = 0
        if due:
            changed, colours = _recompute(
                due, trigger="refresh: a time limit passed", acting_user=acting_user, now=now
            )
            audit.record(
                actor=acting_user,
                action="health_code.refresh",
                object_type=HealthCode._meta.label_lower,
                object_label=f"{len(due)} persons",
                detail={
                    "persons": len(due),
                    "changed": changed,
                    "expired_overrides": len(expired),
                    "to_colour": dict(colours),
                },
            )
    return RefreshResult(expired_overrides=len(expired), reviewed=len(due), changed=changed)


def record_code_view(*, acting_user, person: Person, request=None, via: str = "api") -> None:
    """One read of "what is this person's code and why" (the facts behind it
    are personal data): ``health_code.view`` with where it was read."""
    audit_person(
        "health_code.view",
        acting_user=acting_user,
        person=person,
        request=request,
        detail={"via": via},
    )


def record_code_list(
    *, acting_user, colour: str, results: int, request=None, via: str = "web"
) -> None:
    """One read of the list of red and yellow codes: the filter and how many matched."""
    audit.record(
        actor=acting_user,
        action="health_code.list",
        object_type=HealthCode._meta.label_lower,
        detail={"colour": colour, "results": results, "via": via},
        request=request,
    )
