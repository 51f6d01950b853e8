"""Issue 14, finding 18: denied look-ups leave a trace, and reads of personal data
have a rate limit per user (429 with Retry-After, web and API)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from zhanyi.core.models import AuditEvent
from zhanyi.people.models import Person


@pytest.fixture
def person_a(world):
    return Person.objects.create(name="甲", village=world.village)


def test_a_look_up_outside_the_jurisdiction_is_audited_web_and_api(
    world, client_for, api_for, person_a
):
    assert client_for(world.other_county_staff).get(f"/people/{person_a.pk}/").status_code == 404
    assert api_for(world.other_county_staff).get(f"/api/v1/people/{person_a.pk}/").status_code == (
        404
    )
    events = AuditEvent.objects.filter(action="access.denied").order_by("pk")
    assert [(e.actor, e.path, e.detail) for e in events] == [
        (world.other_county_staff, f"/people/{person_a.pk}/", {"status": 404, "method": "GET"}),
        (
            world.other_county_staff,
            f"/api/v1/people/{person_a.pk}/",
            {"status": 404, "method": "GET"},
        ),
    ]
    # The prober's own county's auditors see it (events by users who work there).
    assert events[0].actor_path == world.other_county.path


def test_a_refused_capability_is_audited_too(world, client_for):
    assert client_for(world.leader).get("/accounts/users/").status_code == 403
    event = AuditEvent.objects.get(action="access.denied")
    assert event.actor == world.leader and event.detail["status"] == 403


@override_settings(READ_RATE_LIMIT=3, READ_RATE_WINDOW_S=60)
def test_reads_past_the_limit_are_refused_with_retry_after_on_the_web(
    world, client_for, client, person_a
):
    web = client_for(world.tracer)
    for _ in range(3):
        assert web.get(f"/people/{person_a.pk}/").status_code == 200
    refused = web.get("/people/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Retry-After"] in refused.content.decode()  # a sentence saying when
    # Pages without personal data are not counted; another user has their own count.
    assert web.get("/figures/").status_code == 200
    client.logout()
    assert client_for(world.commander).get("/people/").status_code == 200


@override_settings(READ_RATE_LIMIT=3, READ_RATE_WINDOW_S=60)
def test_reads_past_the_limit_are_refused_with_retry_after_by_the_api(world, api_for, person_a):
    api = api_for(world.tracer)
    for _ in range(3):
        assert api.get(f"/api/v1/people/{person_a.pk}/").status_code == 200
    refused = api.get("/api/v1/people/")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    # Counted once per request, not by both the middleware and DRF.
    from zhanyi.core.models import RateCounter

    assert RateCounter.objects.get().count == 3


@override_settings(READ_RATE_LIMIT=0)
def test_no_limit_when_turned_off(world, api_for, person_a):
    api = api_for(world.tracer)
    for _ in range(5):
        assert api.get(f"/api/v1/people/{person_a.pk}/").status_code == 200


def test_counts_of_ended_windows_are_forgotten_at_a_log_in(world, client):
    import time

    from zhanyi.accounts.testing import PASSWORD
    from zhanyi.core import ratelimit
    from zhanyi.core.models import RateCounter

    ratelimit.take("old", limit=5, window_s=1, now=time.time() - 10)
    ratelimit.take("live", limit=5, window_s=60, now=time.time())
    client.post("/accounts/login/", {"username": "tracer", "password": PASSWORD})
    keys = set(RateCounter.objects.values_list("key", flat=True))
    assert "old" not in keys and "live" in keys
