"""Order independence, property-tested (issue #22): for random small
outbreaks, the same facts (cases, exposures, quarantines, positive results)
recorded in any order, with contacts expanded after each, give the same
contacts, the same open hand-offs and the same codes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhanyi.engine.codes import decide_many
from zhanyi.handoffs.models import Handoff, HandoffStatus
from zhanyi.people.actions.health_codes.rules import code_rules
from zhanyi.people.health_facts import gather
from zhanyi.tracing import actions
from zhanyi.tracing.models import Case, Contact

from .factories import SHANGHAI, SYSTEM, person

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2021, 9, 11, 0, 0, tzinfo=SHANGHAI)  # the first case's window starts
AS_OF = dt.datetime(2021, 9, 16, 9, 0, tzinfo=SHANGHAI)
N = 6  # persons 1..N; person 0 is the first case
SETTINGS = ("household", "workplace", "lift", "meal")

hours = st.integers(min_value=0, max_value=5 * 24 - 1)
exposure = st.tuples(st.integers(0, N), st.integers(0, N), hours, st.sampled_from(SETTINGS)).filter(
    lambda e: e[0] != e[1]
)
outbreak = st.fixed_dictionaries(
    {
        "exposures": st.lists(exposure, min_size=1, max_size=8, unique_by=lambda e: e[:3]),
        # Quarantines of the first case's direct contacts: (person, hour).
        "quarantines": st.dictionaries(st.integers(1, N), hours, max_size=2),
        # Positive results: (person, hour sampled).
        "positives": st.dictionaries(st.integers(1, N), st.integers(24, 4 * 24), max_size=1),
    }
)


def at(hour: int) -> dt.datetime:
    return T0 + dt.timedelta(hours=hour)


def facts_of(drawn: dict) -> list[tuple]:
    facts: list[tuple] = [("exposure", *e) for e in drawn["exposures"]]
    # A quarantine is recorded on a contact row: only for persons the first
    # case exposed in its window, whose rows no other fact removes.
    direct = {b if a == 0 else a for a, b, h, _s in drawn["exposures"] if 0 in (a, b) and h < 90}
    facts += [("quarantine", p, h) for p, h in drawn["quarantines"].items() if p in direct]
    facts += [("positive", p, h) for p, h in drawn["positives"].items()]
    return facts


def apply(facts: list[tuple], people: list, first_case: Case) -> None:
    pending = list(facts)
    deferred: list[tuple] = []
    while pending:
        fact = pending.pop(0)
        if fact[0] == "exposure":
            _kind, a, b, h, setting = fact
            actions.do_record_exposure(
                first_case,
                acting_user=SYSTEM,
                person_a=people[a],
                person_b=people[b],
                setting=setting,
                exposed_at=at(h),
            )
        elif fact[0] == "quarantine":
            _kind, p, h = fact
            contact = Contact.objects.filter(case=first_case, person=people[p]).first()
            if contact is None or at(h) < contact.first_exposure_at:
                deferred.append(fact)  # recorded once the contact is known
                continue
            actions.do_mark_quarantined(contact, acting_user=SYSTEM, quarantined_at=at(h))
        else:
            _kind, p, h = fact
            actions.do_create_case_from_result(
                person=people[p],
                sampled_at=at(h),
                reported_at=at(h + 2),
                source=f"testing.tube:P{p}",
                acting_user=SYSTEM,
            )
        actions.do_expand_contacts(acting_user=SYSTEM, as_of=AS_OF)
        pending.extend(deferred)
        deferred = []


def state(people: list) -> tuple:
    index = {p.pk: i for i, p in enumerate(people)}
    rows = Contact.objects.values_list(
        "case__person_id",
        "person_id",
        "kind",
        "depth",
        "via_id",
        "first_exposure_at",
        "last_exposure_at",
        "quarantined_at",
    )
    contacts = sorted(
        (
            index[case_person],
            index[p],
            kind,
            depth,
            index.get(via),
            first,
            last,
            quarantined,
        )
        for case_person, p, kind, depth, via, first, last, quarantined in rows
    )
    by_origin = {
        f"tracing.contact:{pk}": (index[case_person], index[p])
        for pk, case_person, p in Contact.objects.values_list("pk", "case__person_id", "person_id")
    }
    handoffs = sorted(
        (
            by_origin.get(origin, origin),
            key.rsplit(":", 1)[-1],
            kind,
            not_before,
            due_at,
            repr(sorted(detail.items())),
        )
        for origin, key, kind, not_before, due_at, detail in Handoff.objects.filter(
            status=HandoffStatus.OPEN
        ).values_list("origin", "key", "kind", "not_before", "due_at", "detail")
    )
    rules = code_rules(["edition-8"])
    codes = []
    for moment in (AS_OF, AS_OF + dt.timedelta(days=6), AS_OF + dt.timedelta(days=13)):
        decided = decide_many(gather([p.pk for p in people], moment).values(), rules, moment)
        codes.append(sorted((index[pid], c.colour, c.rule, c.until) for pid, c in decided.items()))
    return contacts, handoffs, codes


def run(facts: list[tuple], world) -> tuple:
    people = [person(world.village) for _ in range(N + 1)]
    first_case = actions.do_create_case(
        acting_user=SYSTEM,
        person=people[0],
        classification="confirmed",
        sampled_at=dt.datetime(2021, 9, 14, 8, tzinfo=SHANGHAI),
        reported_at=dt.datetime(2021, 9, 14, 20, tzinfo=SHANGHAI),
        onset_date=dt.date(2021, 9, 13),
        isolated_at=dt.datetime(2021, 9, 14, 18, tzinfo=SHANGHAI),
    )
    apply(facts, people, first_case)
    return state(people)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=outbreak, order=st.randoms(use_true_random=False))
def test_the_same_facts_in_any_order_give_the_same_contacts_hand_offs_and_codes(
    drawn, order, world
):
    facts = facts_of(drawn)
    shuffled = list(facts)
    order.shuffle(shuffled)
    from django.db import transaction

    results = []
    for sequence in (facts, shuffled):
        with transaction.atomic():
            results.append(run(sequence, world))
            transaction.set_rollback(True)
    assert results[0] == results[1]
