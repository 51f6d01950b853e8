"""Codes decided again by rule (``do_recompute_codes``): the one path by which a
code changes by rule, in batches, writing only the codes that changed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from zhanyi.core import audit, collector
from zhanyi.core.actors import actor_name, actor_user
from zhanyi.core.db import bulk
from zhanyi.engine.codes import CodeDecision, decide_many
from zhanyi.people.health_facts import for_persons, gather
from zhanyi.people.models import (
    Colour,
    DecidedBy,
    HealthCode,
    HealthCodeChange,
    HealthCodeOverride,
    Person,
)

from .rules import code_rules

OVERRIDE_RULE = "override"


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
    """The code to store: the rules' decision, or the override in force."""
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
    """``queryset`` narrowed to the persons of ``batch`` (by ``field``)."""
    return for_persons(queryset, batch, field)


def _batch_size() -> int:
    """Persons per batch on this database (the database layer's choice)."""
    return bulk.ids_per_batch()


class _Stamp(NamedTuple):
    """Who and what wrote a recompute's changes, and when."""

    trigger: str
    now: dt.datetime
    user_id: int | None
    name: str


class _BatchRows(NamedTuple):
    """A batch's writes: codes of persons who had none, codes replaced (rows of
    CODE_COLUMNS) and their history (rows of CHANGE_COLUMNS)."""

    new: list[tuple]
    replaced: list[tuple]
    history: list[tuple]


def decide_and_write(
    person_ids: Iterable[int], *, trigger: str, acting_user, now: dt.datetime
) -> tuple[int, Counter]:
    """Decide and write the codes of ``person_ids``; the number of changes and
    their colours. Runs inside the caller's transaction.

    The write is one insert of new codes, one upsert of replaced codes and
    one insert of their history per batch, whatever the number of persons.
    """
    ids = sorted({int(pid) for pid in person_ids})
    user = actor_user(acting_user)
    stamp = _Stamp(trigger[:255], now, user.pk if user else None, actor_name(acting_user))
    changed = 0
    colours: Counter = Counter()
    size = _batch_size()
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        codes = _decide_batch(batch, now)
        rows = _batch_rows(batch, codes, _stored_codes(batch), stamp)
        _write(rows.new, rows.replaced, rows.history)
        changed += len(rows.history)
        colours.update(row[1] for row in rows.history)
    return changed, colours


def _decide_batch(batch: list[int], now: dt.datetime) -> dict[int, _Code]:
    """Each person's code at ``now``: the facts of every contributor decided by
    the rules, or the override in force. An id that is not a person is an error."""
    known = set(_in_batch(Person.objects, "pk", batch).values_list("pk", flat=True))
    missing = sorted(set(batch) - known)
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
    # One _Code per decision (persons with the same facts share it).
    by_decision: dict[int, _Code] = {}
    codes: dict[int, _Code] = {}
    for pid in batch:
        decision = decisions[pid]
        override = overrides.get(pid)
        if override is not None:
            codes[pid] = _code_from(decision, override)
            continue
        code = by_decision.get(id(decision))
        if code is None:
            code = by_decision[id(decision)] = _code_from(decision, None)
        codes[pid] = code
    return codes


def _stored_codes(batch: list[int]) -> dict[int, tuple]:
    """The codes stored now for the persons of ``batch``: ``_STORED`` and changed_at."""
    wanted = set(batch)
    return {
        row[0]: row[1:]
        for row in _in_batch(HealthCode.objects, "person_id", batch).values_list(
            "person_id", *_STORED, "changed_at"
        )
        if row[0] in wanted
    }


def _batch_rows(
    batch: list[int], codes: dict[int, _Code], current: dict[int, tuple], stamp: _Stamp
) -> _BatchRows:
    """The rows to write for ``batch``: a code that differs from the stored one
    (or a first code that is not plain green), and a history row for each change."""
    now = stamp.now
    out = _BatchRows([], [], [])
    for pid in batch:
        new = codes[pid]
        stored = current.get(pid)
        if stored is None:
            previous = Colour.GREEN
            is_change = not (new.colour == Colour.GREEN and new.decided_by == DecidedBy.RULE)
            if not is_change and new.review_at is None:
                continue  # green as ever: no row needed
            changed_at = now
            rows = out.new
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
            rows = out.replaced
        rows.append((pid, *new, changed_at, now))
        if is_change:
            out.history.append(
                (
                    pid,
                    new.colour,
                    previous,
                    new.rule,
                    new.reason,
                    new.until,
                    new.decided_by,
                    new.override_id,
                    stamp.trigger,
                    now,
                    stamp.user_id,
                    stamp.name,
                )
            )
    return out


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
        changed, colours = decide_and_write(ids, trigger=reason, acting_user=acting_user, now=now)
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
