"""Health codes on the person's page, and the override pages."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhanyi.people import actions
from zhanyi.people.models import HealthCodeOverride

from .code_facts import HOUR
from .factories import make_person


def test_the_person_page_shows_the_code_its_rule_until_and_history(world, facts, client_for):
    person = make_person(world.village)
    facts.close_contact(person, exposed=timezone.now() - HOUR)
    actions.do_recompute_codes([person.pk], reason="tracing: case 3", acting_user=world.tracer)
    page = client_for(world.village_member).get(f"/people/{person.pk}/").content.decode()
    assert 'data-colour="red"' in page
    assert "Close contact in quarantine" in page
    assert "tracing: case 3" in page
    assert "Ask for an override" in page  # field teams may ask


def test_a_leader_sees_the_code_but_may_not_ask_for_an_override(world, client_for):
    person = make_person(world.village)
    client = client_for(world.leader)
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert 'data-colour="green"' in page and "Ask for an override" not in page
    assert client.get(f"/people/{person.pk}/health-code/override/").status_code == 403


def test_an_override_is_asked_on_its_page_and_approved_by_a_second_person(world, client_for):
    person = make_person(world.village)
    expires = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(world.tracer).post(
        f"/people/{person.pk}/health-code/override/",
        {"colour": "yellow", "reason": "陪同就医", "expires_at": expires},
    )
    assert response.status_code == 302
    override = HealthCodeOverride.objects.get(person=person)
    assert override.status == "pending"
    commander = client_for(world.commander)
    listing = commander.get("/people/health-code/overrides/").content.decode()
    assert "陪同就医" in listing
    response = commander.post(
        f"/people/health-code/overrides/{override.pk}/", {"decision": "approve", "note": "同意"}
    )
    assert response.status_code == 302
    override.refresh_from_db()
    assert override.status == "approved"


def test_the_requester_is_told_a_second_person_must_decide(world, client_for):
    person = make_person(world.village)
    override = actions.do_request_override(
        person=person,
        colour="red",
        reason="复核",
        expires_at=timezone.now() + dt.timedelta(days=1),
        acting_user=world.commander,
    )
    client = client_for(world.commander)
    page = client.get(f"/people/health-code/overrides/{override.pk}/").content.decode()
    assert "a second person must decide" in page
    response = client.post(f"/people/health-code/overrides/{override.pk}/", {"decision": "approve"})
    assert response.status_code == 200
    override.refresh_from_db()
    assert override.status == "pending"


def test_override_pages_refuse_outsiders_and_other_counties(world, client_for):
    person = make_person(world.village)
    override = actions.do_request_override(
        person=person,
        colour="red",
        reason="复核",
        expires_at=timezone.now() + dt.timedelta(days=1),
        acting_user=world.tracer,
    )
    assert client_for(world.outsider).get("/people/health-code/overrides/").status_code == 403
    other = client_for(world.other_county_staff)
    assert other.get(f"/people/{person.pk}/health-code/override/").status_code == 404
    # other-county staff lack approve: refused before any lookup
    assert other.get(f"/people/health-code/overrides/{override.pk}/").status_code == 403


def test_the_code_reads_in_chinese_by_default(world, facts, client_for):
    from django.conf import settings

    person = make_person(world.village)
    facts.close_contact(person, exposed=timezone.now() - HOUR)
    actions.do_recompute_codes([person.pk], reason="tracing: case 3", acting_user=world.tracer)
    client = client_for(world.tracer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "健康码" in page and "红码" in page and "密切接触者（隔离中）" in page


def test_the_codes_page_lists_red_and_yellow_codes_in_the_jurisdiction(world, facts, client_for):
    from zhanyi.core.models import AuditEvent

    mine, theirs = make_person(world.village, "张三"), make_person(world.other_village, "王五")
    facts.close_contact(mine, exposed=timezone.now() - HOUR)
    facts.close_contact(theirs, exposed=timezone.now() - HOUR)
    actions.do_recompute_codes([mine.pk, theirs.pk], reason="x", acting_user=world.commander)
    page = client_for(world.village_member).get("/people/health-codes/?colour=red")
    text = page.content.decode()
    assert "张三" in text and "王五" not in text
    assert AuditEvent.objects.filter(action="health_code.list", detail__results=1).exists()
    assert client_for(world.outsider).get("/people/health-codes/").status_code == 403


def test_an_override_in_force_is_ended_on_its_page_with_a_note(world, client_for):
    person = make_person(world.village)
    override = actions.do_request_override(
        person=person,
        colour="red",
        reason="复核",
        expires_at=timezone.now() + dt.timedelta(days=1),
        acting_user=world.tracer,
    )
    actions.do_approve_override(override=override, acting_user=world.commander)
    client = client_for(world.commander)
    url = f"/people/health-code/overrides/{override.pk}/"
    assert "End it now" in client.get(url).content.decode()
    refused = client.post(url, {"decision": "end", "note": ""})
    assert (
        refused.status_code == 200
        and "Say why the override ends early." in refused.content.decode()
    )
    assert client.post(url, {"decision": "end", "note": "核实无误"}).status_code == 302
    override.refresh_from_db()
    assert override.status == "ended"
