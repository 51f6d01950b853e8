"""Tracing facts reach the health codes: a case is red, its contacts get their colour."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhanyi.people.models import HealthCode, HealthCodeChange
from zhanyi.tracing import actions
from zhanyi.tracing.models import Contact

from .factories import SYSTEM, person

pytestmark = pytest.mark.django_db


def test_a_new_case_and_its_contacts_have_their_codes_recomputed_with_a_reason(world):
    now = timezone.now()
    p, close, secondary = (person(world.village) for _ in range(3))
    case = actions.do_create_case(
        acting_user=world.tracer,
        person=p,
        classification="confirmed",
        onset_date=timezone.localdate(now - dt.timedelta(days=1)),
        sampled_at=now - dt.timedelta(hours=10),
        reported_at=now - dt.timedelta(hours=2),
        isolated_at=now - dt.timedelta(hours=1),
    )
    assert HealthCode.objects.get(person=p).colour == "red"
    for a, b, hours in ((p, close, 30), (close, secondary, 20)):
        actions.do_record_exposure(
            case,
            acting_user=SYSTEM,
            person_a=a,
            person_b=b,
            setting="household",
            exposed_at=now - dt.timedelta(hours=hours),
        )
    actions.do_expand_contacts([case], acting_user=world.tracer, as_of=now)
    close_code = HealthCode.objects.get(person=close)
    assert close_code.colour != "green"
    assert close_code.rule.startswith(("contact.close", "quarantine."))
    assert HealthCode.objects.get(person=secondary).colour != "green"
    assert HealthCodeChange.objects.filter(person=close).exists()
    contact = Contact.objects.get(person=close)
    actions.do_release_contact(contact, acting_user=world.tracer, reason="test: wrong person")
    assert Contact.objects.get(person=close).released_at is not None


def test_the_bulk_read_of_facts_gives_the_same_facts(world, monkeypatch):
    from zhanyi.tracing import health_facts

    now = timezone.now()
    p, close = person(world.village), person(world.village)
    case = actions.do_create_case(
        acting_user=SYSTEM,
        person=p,
        classification="asymptomatic",
        sampled_at=now - dt.timedelta(hours=10),
        reported_at=now - dt.timedelta(hours=2),
    )
    actions.do_record_exposure(
        case,
        acting_user=SYSTEM,
        person_a=p,
        person_b=close,
        setting="meal",
        exposed_at=now - dt.timedelta(hours=30),
    )
    actions.do_expand_contacts([case], acting_user=SYSTEM, as_of=now)
    small = health_facts.facts([p.pk, close.pk], now)
    monkeypatch.setattr(health_facts, "BULK_FROM", 0)
    assert health_facts.facts([p.pk, close.pk], now) == small
    assert small[close.pk]["contacts"][0].kind == "close"
    assert small[p.pk]["cases"][0].classification == "asymptomatic"
