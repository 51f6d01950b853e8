"""``/api/v1/people/<id>/health-code/``: what is this person's code and why; overrides."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhanyi.core.models import AuditEvent
from zhanyi.people import actions

from .code_facts import HOUR
from .factories import make_person


def url(person):
    return f"/api/v1/people/{person.pk}/health-code/"


def red_contact(world, facts):
    person = make_person(world.village)
    facts.close_contact(person, exposed=timezone.now() - HOUR)
    actions.do_recompute_codes([person.pk], reason="tracing: case 7", acting_user=world.tracer)
    return person


def test_the_answer_says_the_colour_the_rule_until_when_and_the_facts(world, facts, api_for):
    person = red_contact(world, facts)
    response = api_for(world.tracer).get(url(person))
    assert response.status_code == 200
    body = response.json()
    assert (body["colour"], body["rule"], body["decided_by"]) == ("red", "contact.close", "rule")
    assert body["until"] is not None and "close contact" in body["reason"]
    assert body["facts"]["contacts"][0]["kind"] == "close"
    assert body["rules_now"]["colour"] == "red"
    assert body["history"][0]["trigger"] == "tracing: case 7"


def test_a_person_never_coloured_is_green_by_no_rule(world, api_for):
    person = make_person(world.village)
    body = api_for(world.village_member).get(url(person)).json()
    assert (body["colour"], body["rule"], body["until"], body["history"]) == (
        "green",
        "none",
        None,
        [],
    )


def test_every_read_is_audited(world, api_for):
    person = make_person(world.village)
    api_for(world.leader).get(url(person))
    event = AuditEvent.objects.get(action="health_code.view")
    assert (event.actor, event.object_id, event.detail) == (
        world.leader,
        str(person.pk),
        {"via": "api"},
    )


def test_an_outsider_is_refused_and_another_county_sees_no_such_person(world, api_for):
    person = make_person(world.village)
    assert api_for(world.outsider).get(url(person)).status_code == 403
    assert api_for(world.other_county_staff).get(url(person)).status_code == 404
    assert not AuditEvent.objects.filter(action="health_code.view").exists()


def test_an_override_is_asked_through_the_api_and_approved_by_someone_else(world, api_for):
    person = make_person(world.village)
    expires = (timezone.now() + dt.timedelta(days=2)).isoformat()
    asked = api_for(world.tracer).post(
        f"{url(person)}overrides/",
        {"colour": "yellow", "reason": "陪同就医", "expires_at": expires},
        format="json",
    )
    assert asked.status_code == 201, asked.json()
    override_id = asked.json()["id"]
    approve = f"/api/v1/people/health-code/overrides/{override_id}/approve/"
    assert api_for(world.tracer).post(approve, {}, format="json").status_code == 403
    assert api_for(world.other_county_staff).post(approve, {}).status_code == 403
    done = api_for(world.commander).post(approve, {"note": "同意"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert api_for(world.tracer).get(url(person)).json()["colour"] == "yellow"


def test_approving_ones_own_request_through_the_api_is_forbidden(world, api_for):
    person = make_person(world.village)
    expires = (timezone.now() + dt.timedelta(days=1)).isoformat()
    asked = api_for(world.commander).post(
        f"{url(person)}overrides/",
        {"colour": "red", "reason": "复核", "expires_at": expires},
        format="json",
    )
    approve = f"/api/v1/people/health-code/overrides/{asked.json()['id']}/approve/"
    response = api_for(world.commander).post(approve, {}, format="json")
    assert response.status_code == 403


def test_a_bad_override_request_names_the_field(world, api_for):
    person = make_person(world.village)
    past = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    response = api_for(world.tracer).post(
        f"{url(person)}overrides/",
        {"colour": "green", "reason": "x", "expires_at": past},
        format="json",
    )
    assert response.status_code == 400
    assert "expires_at" in response.json()


def test_the_list_of_red_and_yellow_codes_is_scoped_and_audited(world, facts, api_for):
    mine, theirs = make_person(world.village), make_person(world.other_village, "王五")
    arrival = make_person(world.village2, "李四")
    make_person(world.village, "赵六")  # green: not listed
    facts.close_contact(mine, exposed=timezone.now() - HOUR)
    facts.close_contact(theirs, exposed=timezone.now() - HOUR)
    facts.arrival(arrival, at=timezone.now() - HOUR)
    actions.do_recompute_codes(
        [mine.pk, theirs.pk, arrival.pk], reason="x", acting_user=world.commander
    )
    body = api_for(world.tracer).get("/api/v1/people/health-codes/").json()
    assert [(p["id"], p["colour"]) for p in body["results"]] == [
        (mine.pk, "red"),
        (arrival.pk, "yellow"),
    ]
    reds = api_for(world.village_member).get("/api/v1/people/health-codes/?colour=red").json()
    assert [p["id"] for p in reds["results"]] == [mine.pk]
    blue = api_for(world.tracer).get("/api/v1/people/health-codes/?colour=blue")
    assert blue.status_code == 400
    assert blue.json()["colour"] == "Ask for red or yellow codes, or leave the colour out."
    assert api_for(world.outsider).get("/api/v1/people/health-codes/").status_code == 403
    event = AuditEvent.objects.filter(action="health_code.list").first()
    assert event.detail["via"] == "api"
