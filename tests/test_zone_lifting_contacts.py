"""A zone lifts only once the last close contact linked to it is out of
quarantine with a negative test: zones ask the places layer's registry
(``zhanyi.places.zone_contacts``), tracing answers it, testing's results come
through the health-code facts. The test spans the three apps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from zhanyi.core.testing import client, english  # noqa: F401  (English messages)
from zhanyi.testing.tests.factories import deliver_and_receive, lab, report, scan, site
from zhanyi.tracing import actions as tracing
from zhanyi.tracing.models import Contact
from zhanyi.tracing.tests.factories import SYSTEM, person
from zhanyi.zones import actions
from zhanyi.zones.lifting import lifting_check

pytestmark = pytest.mark.django_db

_WAITING = "1 close contact(s) linked to the zone still in quarantine or not yet negative"


def _case_with_contact(village, contact_village, reported_at):
    patient, close = person(village), person(contact_village)
    c = tracing.do_create_case(
        acting_user=SYSTEM,
        person=patient,
        classification="confirmed",
        sampled_at=reported_at - dt.timedelta(hours=12),
        reported_at=reported_at,
        onset_date=timezone.localdate(reported_at - dt.timedelta(days=1)),
        isolated_at=reported_at + dt.timedelta(hours=1),
    )
    tracing.do_record_exposure(
        c,
        acting_user=SYSTEM,
        person_a=patient,
        person_b=close,
        setting="household",
        exposed_at=reported_at - dt.timedelta(days=1),
    )
    tracing.do_expand_contacts([c], acting_user=SYSTEM, as_of=reported_at + dt.timedelta(hours=2))
    return Contact.objects.get(case=c, person=close)


def test_a_zone_waits_for_its_last_contacts_quarantine_and_negative_test(world, client):  # noqa: F811
    now = timezone.now()
    reported = now - dt.timedelta(days=20)
    contact = _case_with_contact(world.village, world.village2, reported)
    made = actions.do_propose_from_cases(
        acting_user=world.commander, now=reported + dt.timedelta(days=1), tiers=["sealed"]
    )
    (zone,) = made.zones
    start = reported + dt.timedelta(days=1)
    actions.do_approve_zone(zone, acting_user=world.commander, starts_at=start, now=start)
    # A later case and its contact elsewhere are not the zone's.
    _case_with_contact(world.other_village, world.other_village, now - dt.timedelta(days=2))

    # The 14 days without a case have run out; the contact is still in quarantine.
    check = lifting_check(zone, now, with_round=False)
    assert check.days_left == 0
    assert check.waiting_for == (("contacts", 1),)
    with pytest.raises(ValidationError) as refused:
        actions.do_step_down_zone(zone, acting_user=world.commander, reason="14天无新增", now=now)
    assert _WAITING in refused.value.message_dict["state"][0]
    client.force_login(world.commander)
    page = client.get(reverse("zones:zone", args=[zone.pk])).content.decode()
    assert _WAITING in page

    # Released, but no negative test since the exposure: still waiting.
    tracing.do_release_contact(
        contact, acting_user=SYSTEM, released_at=now - dt.timedelta(days=3), reason="期满"
    )
    assert lifting_check(zone, now, with_round=False).waiting_for == (("contacts", 1),)

    sampling, laboratory = site(world.village2), lab(world.city)
    sampled = now - dt.timedelta(days=4)
    scan(
        "ZC01",
        [contact.person],
        site=sampling,
        purpose="scheduled",
        pool_size=1,
        sampled_at=sampled,
    )
    deliver_and_receive(sampling, laboratory, ["ZC01"])
    report(laboratory, {"ZC01": "negative"})
    check = lifting_check(zone, now, with_round=False)
    assert check.waiting_for == () and check.ready
    page = client.get(reverse("zones:zone", args=[zone.pk])).content.decode()
    assert _WAITING not in page
