"""Health codes (健康码): recompute by rule, history, overrides with a second person's
approval, expiry, refresh, audit and jurisdiction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhanyi.core import metrics
from zhanyi.core.models import AuditEvent
from zhanyi.people import actions
from zhanyi.people.models import HealthCode, HealthCodeChange, HealthCodeOverride

from .code_facts import DAY, HOUR, T0
from .factories import make_person


def recompute(people, user, now=T0 + HOUR, reason="tracing: case 1"):
    return actions.do_recompute_codes(
        [p.pk for p in people], reason=reason, acting_user=user, now=now
    )


def test_a_close_contact_turns_red_and_the_change_is_kept_with_its_reason(world, facts):
    contact, bystander = make_person(world.village), make_person(world.village, "李四")
    facts.close_contact(contact)
    assert recompute([contact, bystander], world.tracer) == 1
    code = HealthCode.objects.get(person=contact)
    assert (code.colour, code.rule, code.until) == ("red", "contact.close", T0 + 14 * DAY)
    change = HealthCodeChange.objects.get(person=contact)
    assert (change.previous_colour, change.colour, change.trigger) == (
        "green",
        "red",
        "tracing: case 1",
    )
    assert change.changed_by == world.tracer
    # A person who never had anything but green needs no row.
    assert not HealthCode.objects.filter(person=bystander).exists()


def test_recomputing_unchanged_facts_changes_nothing(world, facts):
    contact = make_person(world.village)
    facts.close_contact(contact)
    recompute([contact], world.tracer)
    assert recompute([contact], world.tracer, now=T0 + 2 * HOUR) == 0
    assert HealthCodeChange.objects.filter(person=contact).count() == 1


def test_when_the_fact_goes_the_code_falls_back_to_green_in_the_history(world, facts):
    contact = make_person(world.village)
    facts.close_contact(contact)
    recompute([contact], world.tracer)
    facts.clear(contact)
    assert recompute([contact], world.tracer, reason="tracing: contact removed") == 1
    latest = HealthCodeChange.objects.filter(person=contact).first()
    assert (latest.previous_colour, latest.colour, latest.rule) == ("red", "green", "none")


def test_an_unknown_person_is_refused_and_nothing_is_written(world, facts):
    contact = make_person(world.village)
    facts.close_contact(contact)
    with pytest.raises(ValueError, match="no person with id 999999"):
        actions.do_recompute_codes(
            [contact.pk, 999999], reason="x", acting_user=world.tracer, now=T0
        )
    assert not HealthCode.objects.exists()


def test_a_recompute_needs_a_reason(world):
    with pytest.raises(ValueError, match="needs a reason"):
        actions.do_recompute_codes([1], reason=" ", acting_user=world.tracer)


def test_a_recompute_is_one_audit_record(world, facts):
    people = [make_person(world.village, f"人{i}") for i in range(3)]
    for p in people:
        facts.arrival(p)
    recompute(people, world.tracer)
    event = AuditEvent.objects.get(action="health_code.recompute")
    assert event.detail["changed"] == 3 and event.detail["to_colour"] == {"yellow": 3}


def test_negative_tests_turn_an_arrivals_yellow_code_green(world, facts):
    arrival = make_person(world.village)
    facts.arrival(arrival)
    recompute([arrival], world.tracer)
    assert HealthCode.objects.get(person=arrival).colour == "yellow"
    facts.negative(arrival, T0 + HOUR)
    facts.negative(arrival, T0 + DAY + HOUR)
    assert recompute([arrival], world.tracer, now=T0 + 2 * DAY) == 1
    assert HealthCode.objects.get(person=arrival).colour == "green"


def test_refresh_decides_again_when_a_codes_until_passes(world, facts):
    contact = make_person(world.village)
    facts.close_contact(contact)
    recompute([contact], world.tracer)
    early = actions.do_refresh_codes(acting_user=None, now=T0 + 13 * DAY)
    assert (early.reviewed, early.changed) == (0, 0)
    result = actions.do_refresh_codes(acting_user=None, now=T0 + 14 * DAY)
    assert (result.reviewed, result.changed) == (1, 1)
    code = HealthCode.objects.get(person=contact)
    assert (code.colour, code.rule) == ("yellow", "contact.close.monitoring")
    actions.do_refresh_codes(acting_user=None, now=T0 + 21 * DAY)
    assert HealthCode.objects.get(person=contact).colour == "green"


def test_refresh_catches_a_quarantine_that_starts_later(world, facts):
    person = make_person(world.village)
    facts.quarantine(person, start=T0 + DAY, end=T0 + 3 * DAY)
    recompute([person], world.tracer)
    code = HealthCode.objects.get(person=person)
    assert (code.colour, code.review_at) == ("green", T0 + DAY)
    actions.do_refresh_codes(acting_user=None, now=T0 + DAY)
    assert HealthCode.objects.get(person=person).rule == "quarantine.centralised"


# ---------------------------------------------------------------- overrides


def ask(world, person, user=None, colour="green", hours=48, reason="家属陪护，核酸阴性"):
    return actions.do_request_override(
        person=person,
        colour=colour,
        reason=reason,
        expires_at=timezone.now() + dt.timedelta(hours=hours),
        acting_user=user or world.tracer,
    )


def test_an_override_changes_nothing_until_a_second_person_approves_it(world, facts):
    person = make_person(world.village)
    facts.close_contact(person, exposed=timezone.now() - HOUR)
    actions.do_recompute_codes([person.pk], reason="contact", acting_user=world.tracer)
    override = ask(world, person)
    assert HealthCode.objects.get(person=person).colour == "red"
    actions.do_approve_override(override=override, acting_user=world.commander, note="同意")
    code = HealthCode.objects.get(person=person)
    assert (code.colour, code.rule, code.decided_by, code.override_id) == (
        "green",
        "override",
        "override",
        override.pk,
    )
    assert code.until == override.expires_at
    change = HealthCodeChange.objects.filter(person=person).first()
    assert (change.decided_by, change.previous_colour, change.colour) == (
        "override",
        "red",
        "green",
    )
    actions_seen = set(
        AuditEvent.objects.filter(object_id=str(person.pk)).values_list("action", flat=True)
    )
    assert {"health_code.override_requested", "health_code.override_approved"} <= actions_seen


def test_the_requester_cannot_approve_their_own_override(world):
    person = make_person(world.village)
    override = ask(world, person, user=world.commander, colour="red")
    with pytest.raises(PermissionDenied, match="second person"):
        actions.do_approve_override(override=override, acting_user=world.commander)
    override.refresh_from_db()
    assert override.status == "pending"


def test_a_user_without_approve_cannot_approve(world):
    person = make_person(world.village)
    override = ask(world, person, user=world.commander)
    with pytest.raises(PermissionDenied):
        actions.do_approve_override(override=override, acting_user=world.tracer)


def test_an_override_needs_a_reason_and_a_near_future_expiry(world):
    person = make_person(world.village)
    with pytest.raises(ValidationError) as error:
        ask(world, person, reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        ask(world, person, hours=-1)
    assert "expires_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        ask(world, person, hours=15 * 24)
    assert "at most 14 days" in error.value.message_dict["expires_at"][0]
    assert not HealthCodeOverride.objects.exists()


def test_users_outside_the_jurisdiction_cannot_ask_or_approve(world):
    person = make_person(world.village)
    with pytest.raises(PermissionDenied):
        ask(world, person, user=world.other_county_staff)
    with pytest.raises(PermissionDenied):
        ask(world, person, user=world.outsider)
    override = ask(world, person)
    with pytest.raises(PermissionDenied):
        actions.do_approve_override(override=override, acting_user=world.other_county_staff)


def test_an_expired_override_falls_back_to_the_rule(world, facts):
    person = make_person(world.village)
    facts.close_contact(person, exposed=timezone.now() - HOUR)
    override = ask(world, person, hours=2)
    actions.do_approve_override(override=override, acting_user=world.commander)
    assert HealthCode.objects.get(person=person).colour == "green"
    result = actions.do_refresh_codes(acting_user=None, now=timezone.now() + 3 * HOUR)
    assert (result.expired_overrides, result.changed) == (1, 1)
    override.refresh_from_db()
    assert override.status == "expired"
    code = HealthCode.objects.get(person=person)
    assert (code.colour, code.rule, code.decided_by) == ("red", "contact.close", "rule")
    assert AuditEvent.objects.filter(action="health_code.override_expired").count() == 1


def test_a_rejection_needs_a_note_and_leaves_the_code(world, facts):
    person = make_person(world.village)
    override = ask(world, person, colour="red")
    with pytest.raises(ValidationError):
        actions.do_reject_override(override=override, acting_user=world.commander, note="")
    actions.do_reject_override(override=override, acting_user=world.commander, note="理由不足")
    override.refresh_from_db()
    assert override.status == "rejected"
    assert not HealthCode.objects.filter(person=person).exists()
    with pytest.raises(ValidationError, match="no longer awaiting"):
        actions.do_approve_override(override=override, acting_user=world.commander)


def test_an_override_in_force_can_be_ended_early(world):
    person = make_person(world.village)
    override = ask(world, person, colour="yellow")
    actions.do_approve_override(override=override, acting_user=world.commander)
    assert HealthCode.objects.get(person=person).colour == "yellow"
    actions.do_end_override(override=override, acting_user=world.commander, note="核实无误")
    assert HealthCode.objects.get(person=person).colour == "green"


def test_the_figures_count_persons_by_colour_in_an_area(world, facts):
    red, yellow = make_person(world.village), make_person(world.village, "李四")
    far = make_person(world.other_village, "王五")
    make_person(world.village, "赵六")
    facts.close_contact(red)
    facts.arrival(yellow)
    facts.close_contact(far)
    recompute([red, yellow, far], world.tracer)
    values = {
        f["name"]: f["value"]
        for f in metrics.compute(
            ["people.codes_red", "people.codes_yellow", "people.codes_green"], world.county
        )
    }
    assert values == {"people.codes_red": 1, "people.codes_yellow": 1, "people.codes_green": 1}


def test_a_reason_with_tabs_newlines_and_backslashes_is_stored_as_written(world):
    person = make_person(world.village)
    reason = "陪护\t家属\\签字\n第二行"
    override = ask(world, person, reason=reason)
    actions.do_approve_override(override=override, acting_user=world.commander)
    code = HealthCode.objects.get(person=person)
    assert code.reason == f"manual override #{override.pk}: {reason}"
    assert HealthCodeChange.objects.get(person=person).reason == code.reason


def test_persons_between_the_ids_asked_for_are_left_alone(world, facts):
    people = [make_person(world.village, f"人{i}") for i in range(5)]
    for p in people:
        facts.arrival(p)
    recompute(people, world.tracer)
    facts.clear(people[0])
    facts.clear(people[4])
    # The lookup scans the id range 0..4; persons 1-3 were not asked for.
    assert recompute([people[0], people[4]], world.tracer) == 2
    colours = dict(HealthCode.objects.values_list("person_id", "colour"))
    assert [colours[p.pk] for p in people] == ["green", "yellow", "yellow", "yellow", "green"]


def test_a_contributor_with_an_unknown_fact_field_is_refused_by_name(world, facts):
    person = make_person(world.village)
    facts.add(person, "vaccines", object())
    with pytest.raises(ValueError, match="unknown health-code fact field 'vaccines'"):
        recompute([person], world.tracer)
    assert not HealthCode.objects.exists()


def test_an_override_in_force_survives_a_recompute_by_rule(world, facts):
    person = make_person(world.village)
    override = ask(world, person, colour="yellow")
    actions.do_approve_override(override=override, acting_user=world.commander)
    facts.close_contact(person, exposed=timezone.now() - HOUR)
    assert actions.do_recompute_codes([person.pk], reason="new contact", acting_user=None) == 0
    code = HealthCode.objects.get(person=person)
    assert (code.colour, code.decided_by) == ("yellow", "override")
    # ... and the rule's answer is what the code falls back to when it ends.
    actions.do_end_override(override=override, acting_user=world.commander, note="到期前终止")
    assert HealthCode.objects.get(person=person).rule == "contact.close"


def test_a_code_another_recompute_wrote_meanwhile_is_replaced_not_refused(
    world, facts, monkeypatch
):
    from zhanyi.people.actions.health_codes import recompute as writes

    person = make_person(world.village)
    facts.arrival(person)
    recompute([person], world.tracer)
    # Another transaction wrote the code after this one read the current codes:
    # the batch's new codes meet an existing row, and are written as an upsert.
    reads = writes._in_batch

    def unseen(queryset, field, batch):
        qs = reads(queryset, field, batch)
        return qs.none() if qs.model is HealthCode else qs

    monkeypatch.setattr(writes, "_in_batch", unseen)
    facts.clear(person)
    facts.close_contact(person)
    assert recompute([person], world.tracer, now=T0 + 2 * HOUR) == 1
    code = HealthCode.objects.get(person=person)
    assert (code.colour, code.rule) == ("red", "contact.close")


def test_the_persons_are_counted_once_for_their_figure_and_the_green_codes(world, facts):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhanyi.core import metrics

    with CaptureQueriesContext(connection) as queries:
        values = metrics.compute(["people.persons", "people.codes_green"], world.county)
    counts = [q["sql"] for q in queries if 'FROM "people_person"' in q["sql"]]
    assert len(counts) == 1, counts
    shown = {v["name"]: v["value"] for v in values}
    red_and_yellow = metrics.compute(["people.codes_red", "people.codes_yellow"], world.county)
    assert shown["people.codes_green"] == shown["people.persons"] - sum(
        v["value"] for v in red_and_yellow
    )
