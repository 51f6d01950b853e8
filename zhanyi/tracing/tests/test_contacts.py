"""Contacts from exposures: expansion, hand-offs, upgrade, quarantine and release."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from zhanyi.core.models import AuditEvent
from zhanyi.engine.protocol import load_protocol
from zhanyi.handoffs import schedule
from zhanyi.handoffs.actions import do_record_scheduled_test
from zhanyi.handoffs.models import Handoff
from zhanyi.tracing import actions
from zhanyi.tracing.models import Contact, Exposure

from .factories import SHANGHAI, SYSTEM, at, case, person

pytestmark = pytest.mark.django_db

AS_OF = at(15, 9)


def expose(c, a, b, when, setting="household", certainty="confirmed"):
    return actions.do_record_exposure(
        c,
        acting_user=SYSTEM,
        person_a=a,
        person_b=b,
        setting=setting,
        exposed_at=when,
        certainty=certainty,
    )


@pytest.fixture
def traced(world):
    """A case (onset 13 Sept, isolated 14 Sept 21:00) with a close contact
    (exposed on the 13th), a secondary contact through them and a person
    exposed before the window."""
    c = case(world.village)
    close, secondary, early = (person(world.village2) for _ in range(3))
    expose(c, c.person, close, at(13, 19))
    expose(c, close, secondary, at(14, 7), setting="workplace")
    expose(c, c.person, early, at(10, 23, 59))
    return c, close, secondary, early


def test_close_and_secondary_contacts_are_found_and_stored_once(world, traced):
    c, close, secondary, _early = traced
    result = actions.do_expand_contacts([c], acting_user=world.tracer, as_of=AS_OF)
    assert (result.new_close, result.new_secondary) == (1, 1)
    kinds = dict(Contact.objects.values_list("person_id", "kind"))
    assert kinds == {close.pk: "close", secondary.pk: "secondary"}
    again = actions.do_expand_contacts([c], acting_user=world.tracer, as_of=AS_OF)
    assert (again.new_close, again.new_secondary, again.handoffs) == (0, 0, 0)
    assert Contact.objects.count() == 2


def test_the_window_starts_at_midnight_two_days_before_onset_under_the_eighth_edition(
    world,
):
    c = case(world.village)  # onset 13 Sept: window from 11 Sept 00:00 local
    inside, outside = person(world.village), person(world.village)
    expose(c, c.person, inside, at(11, 0))
    expose(c, c.person, outside, at(10, 23, 59))
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=AS_OF)
    assert list(Contact.objects.values_list("person_id", flat=True)) == [inside.pk]


def test_the_ninth_edition_counts_four_days_back(world):
    c = case(world.village, protocol_name="edition-9")
    p = person(world.village)
    expose(c, c.person, p, at(9, 0))
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=AS_OF)
    assert Contact.objects.get().protocol == "edition-9"


def _schedule(handoff):
    return [(t.stage, t.day, t.not_before, t.done) for t in schedule.tests_of(handoff.detail)]


def test_a_close_contact_is_handed_to_the_village_team_transfer_and_testing(world, traced):
    c, close, *_ = traced
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=AS_OF)
    contact = Contact.objects.get(person=close)
    handoffs = {h.key.split(":", 2)[2]: h for h in Handoff.objects.filter(person=close)}
    # One test hand-off carries the whole schedule (it was one per test day).
    assert sorted(handoffs) == ["control", "tests", "transfer"]
    assert handoffs["control"].to_task_force == "community"
    assert handoffs["control"].due_at == AS_OF + dt.timedelta(hours=2)
    assert handoffs["transfer"].due_at == AS_OF + dt.timedelta(hours=8)
    assert handoffs["control"].area_id == contact.area_id == world.village2.pk
    # Details hold no copy of the contact row (the origin names it).
    assert handoffs["control"].detail == {}
    assert handoffs["transfer"].detail == {"days": 14}
    tests = handoffs["tests"]
    assert tests.to_task_force == "testing"
    day = lambda d: dt.datetime(2021, 9, d, tzinfo=SHANGHAI)  # noqa: E731
    # Test days and quarantine days count from one anchor, the 8th edition's
    # last exposure (13 Sept 19:00): day 14 is 26 Sept, inside the 14 days
    # that end on 27 Sept 19:00 (counted from the day found, it fell on 28
    # Sept, after the release).
    assert _schedule(tests) == [
        ("quarantine", 1, day(13), False),
        ("quarantine", 4, day(16), False),
        ("quarantine", 7, day(19), False),
        ("quarantine", 14, day(26), False),
        # Monitoring from the end of the 14 days (27 Sept 19:00): its days 2 and 7.
        ("home_health_monitoring", 2, day(28), False),
        ("home_health_monitoring", 7, dt.datetime(2021, 10, 3, tzinfo=SHANGHAI), False),
    ]
    released = contact.last_exposure_at + dt.timedelta(days=14)
    assert all(
        t.due_at <= released for t in schedule.tests_of(tests.detail) if t.stage == "quarantine"
    )
    assert schedule.tests_of(tests.detail)[1].due_at == day(17)
    # The hand-off's own window is its first test's: quarantine day 1.
    assert (tests.not_before, tests.due_at) == (day(13), day(14))


def test_a_secondary_contact_gets_the_three_secondary_tests(world, traced):
    c, _, secondary, _ = traced
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=AS_OF)
    keys = sorted(
        k.split(":", 2)[2]
        for k in Handoff.objects.filter(person=secondary).values_list("key", flat=True)
    )
    assert keys == ["control", "tests", "transfer"]
    tests = Handoff.objects.get(person=secondary, kind="test")
    assert [(t.stage, t.day) for t in schedule.tests_of(tests.detail)] == [
        ("quarantine", 1),
        ("quarantine", 4),
        ("quarantine", 7),
    ]


def test_under_the_ninth_edition_a_secondary_contact_stays_home_without_transfer(world):
    c = case(world.village, protocol_name="edition-9")
    close, secondary = person(world.village), person(world.village)
    expose(c, c.person, close, at(13))
    expose(c, close, secondary, at(14))
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=AS_OF)
    kinds = set(Handoff.objects.filter(person=secondary).values_list("kind", flat=True))
    assert kinds == {"control", "test"}


def test_a_secondary_contact_becomes_close_when_their_close_contact_turns_positive(world, traced):
    c, close, secondary, _ = traced
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=AS_OF)
    actions.do_create_case_from_result(
        person=close,
        sampled_at=at(15, 8),
        reported_at=at(15, 14),
        source="testing.tube:UP1",
        acting_user=world.tracer,
    )
    contact = Contact.objects.get(person=secondary, case=c)
    assert contact.kind == "close"
    assert contact.upgraded_at is not None
    # The close contact's schedule replaces the secondary one: day 14 and home
    # monitoring are added to the same hand-off.
    tests = Handoff.objects.get(key=f"tracing.contact:{contact.pk}:tests")
    assert [(t.stage, t.day) for t in schedule.tests_of(tests.detail)] == [
        ("quarantine", 1),
        ("quarantine", 4),
        ("quarantine", 7),
        ("quarantine", 14),
        ("home_health_monitoring", 2),
        ("home_health_monitoring", 7),
    ]
    assert Handoff.objects.filter(person=secondary, kind="test").count() == 1


def test_an_upgraded_contact_keeps_the_tests_it_has_done(world, traced):
    c, close, secondary, _ = traced
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=AS_OF)
    tests = Handoff.objects.get(person=secondary, kind="test")
    do_record_scheduled_test(tests, sampled_at=at(15, 10), tube="ZZ1", acting_user=SYSTEM)
    actions.do_create_case_from_result(
        person=close,
        sampled_at=at(15, 8),
        reported_at=at(15, 14),
        source="testing.tube:UP2",
        acting_user=world.tracer,
    )
    tests.refresh_from_db()
    done = [(t.day, t.tube) for t in schedule.tests_of(tests.detail) if t.done]
    assert done == [(1, "ZZ1")]
    assert tests.status == "open"
    assert tests.not_before == dt.datetime(2021, 9, 17, tzinfo=SHANGHAI)  # day 4 is next
    assert AuditEvent.objects.filter(action="handoff.reschedule").count() == 1


def test_exposures_after_quarantine_do_not_make_secondary_contacts(world):
    c = case(world.village)
    close, later = person(world.village), person(world.village)
    expose(c, c.person, close, at(13))
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=at(14, 22))
    contact = Contact.objects.get(person=close)
    actions.do_mark_quarantined(contact, acting_user=world.tracer, quarantined_at=at(15, 0))
    expose(c, close, later, at(15, 0))
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=at(16))
    assert not Contact.objects.filter(person=later).exists()


def test_releasing_a_contact_cancels_their_quarantine_work_and_keeps_the_monitoring_tests(
    world, traced
):
    c, close, secondary, _ = traced
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=AS_OF)
    contact = Contact.objects.get(person=close)
    tests = Handoff.objects.get(person=close, kind="test")
    do_record_scheduled_test(tests, sampled_at=at(15, 10), tube="ZZ1", acting_user=SYSTEM)
    with pytest.raises(ValidationError):
        actions.do_release_contact(contact, acting_user=world.tracer, reason=" ")
    # The reason closes the hand-offs after "contact released: ", whole or not at all.
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        actions.do_release_contact(contact, acting_user=world.tracer, reason="r" * 250)
    assert refused.value.message_dict == {"reason": ["共 250 个字符，最多允许 237 个。"]}
    released = at(27, 19)
    actions.do_release_contact(
        contact, acting_user=world.tracer, released_at=released, reason="14 days, tests negative"
    )
    status = dict(Handoff.objects.filter(person=close).values_list("kind", "status"))
    assert status == {"control": "cancelled", "transfer": "cancelled", "test": "open"}
    # The 8th edition's tests on days 2 and 7 of home health monitoring stay,
    # counted from the release; the test done stays recorded.
    tests.refresh_from_db()
    day = lambda d: dt.datetime(2021, 9, d, tzinfo=SHANGHAI)  # noqa: E731
    assert _schedule(tests) == [
        ("quarantine", 1, day(13), True),
        ("home_health_monitoring", 2, day(28), False),
        ("home_health_monitoring", 7, dt.datetime(2021, 10, 3, tzinfo=SHANGHAI), False),
    ]
    assert tests.not_before == day(28)
    # A secondary contact has no monitoring tests: everything is cancelled.
    other = Contact.objects.get(person=secondary)
    actions.do_release_contact(other, acting_user=world.tracer, reason="7 days")
    assert set(Handoff.objects.filter(person=secondary).values_list("status", flat=True)) == {
        "cancelled"
    }


def test_an_exposure_with_oneself_is_refused(world):
    c = case(world.village)
    with pytest.raises(ValidationError) as error:
        expose(c, c.person, c.person, at(13))
    assert "person_b" in error.value.error_dict


def test_the_same_exposure_twice_is_refused_and_the_first_kept(world):
    c = case(world.village)
    p = person(world.village)
    expose(c, c.person, p, at(13))
    with pytest.raises(ValidationError):
        expose(c, c.person, p, at(13))
    assert c.exposures.count() == 1


def test_a_tracer_of_another_county_cannot_expand_or_record_here(world, traced):
    c, close, *_ = traced
    with pytest.raises(PermissionDenied):
        actions.do_expand_contacts([c], acting_user=world.other_county_staff, as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        actions.do_record_exposure(
            c,
            acting_user=world.outsider,
            person_a=c.person,
            person_b=close,
            setting="meal",
            exposed_at=at(13, 12),
        )
    assert not Contact.objects.exists()


def test_trajectory_and_interviews_are_kept_and_checked(world):
    c = case(world.village)
    with pytest.raises(ValidationError):
        actions.do_add_trajectory_entry(c, acting_user=world.tracer, start=at(13, 9))
    with pytest.raises(ValidationError):
        actions.do_add_trajectory_entry(
            c, acting_user=world.tracer, start=at(13, 9), end=at(13, 8), description="菜市场"
        )
    entry = actions.do_add_trajectory_entry(
        c, acting_user=world.tracer, start=at(13, 9), end=at(13, 10), area=world.village
    )
    assert entry.area == world.village
    interview = actions.do_add_interview(
        c, acting_user=world.tracer, held_at=at(14, 22), summary="家庭聚餐"
    )
    assert interview.interviewer == "tracer"


@pytest.mark.parametrize("protocol_name", ["edition-8", "edition-9"])
def test_the_bulk_hand_offs_match_the_hand_offs_of_one_contact(world, protocol_name):
    # Two close contacts last exposed on different days: their home-monitoring
    # tests differ, so they are planned apart.
    c = case(world.village, protocol_name=protocol_name)
    close, earlier, secondary = person(world.village), person(world.village), person(world.village2)
    expose(c, c.person, close, at(13, 19))
    expose(c, c.person, earlier, at(12, 10))
    expose(c, close, secondary, at(14, 7))
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=AS_OF)
    stored = {
        h.key: (h.kind, h.to_task_force, h.not_before, h.due_at, h.detail, h.area_id)
        for h in Handoff.objects.all()
    }
    expected = {
        s.key: (s.kind, s.to_task_force, s.not_before, s.due_at, s.detail, s.area_id)
        for contact in Contact.objects.all()
        for s in actions.handoff_specs(contact, load_protocol(protocol_name))
    }
    assert stored == expected
    monitoring = {
        h.person_id: [t.not_before for t in schedule.tests_of(h.detail) if t.stage != "quarantine"]
        for h in Handoff.objects.filter(kind="test", person__in=[close, earlier])
    }
    assert monitoring[close.pk] and monitoring[close.pk] != monitoring[earlier.pk]


def test_a_contact_found_after_their_quarantine_days_gets_the_tests_in_the_order_they_fall_due(
    world,
):
    # Exposed on 13 Sept, found on 30 Sept: the days count from the exposure,
    # so every test is already due, in the order of its day, in bulk and one
    # by one.
    c = case(world.village)
    close = person(world.village)
    expose(c, c.person, close, at(13, 19))
    late = dt.datetime(2021, 9, 30, 9, tzinfo=SHANGHAI)
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=late)
    tests = Handoff.objects.get(person=close, kind="test")
    stored = [(t.stage, t.day) for t in schedule.tests_of(tests.detail)]
    assert stored == [
        ("quarantine", 1),
        ("quarantine", 4),
        ("quarantine", 7),
        ("quarantine", 14),
        ("home_health_monitoring", 2),
        ("home_health_monitoring", 7),
    ]
    assert tests.not_before == dt.datetime(2021, 9, 13, tzinfo=SHANGHAI)
    (spec,) = [
        s
        for s in actions.handoff_specs(Contact.objects.get(person=close), load_protocol())
        if s.kind == "test"
    ]
    assert spec.detail == tests.detail and spec.not_before == tests.not_before


def test_a_contact_whose_person_is_not_in_the_index_is_refused_and_nothing_stored(world):
    # Contacts carry no database constraint on their person: the expansion
    # itself refuses an exposure edge to an id the person index does not have
    # (written here by raw SQL, as a bad bulk import could).
    c = case(world.village)
    known = person(world.village)
    expose(c, c.person, known, at(13, 19))
    table = connection.ops.quote_name(Exposure._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (case_id, person_a_id, person_b_id, setting, exposed_at, "
            "certainty, note, created_at) VALUES (%s, %s, %s, 'meal', %s, 'confirmed', '', %s)",
            [c.pk, c.person_id, known.pk + 1000, at(13, 20), at(14)],
        )
    with pytest.raises(ValueError, match=f"no person with id {known.pk + 1000}"):
        actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=AS_OF)
    assert not Contact.objects.exists()
    Exposure.objects.filter(person_b_id=known.pk + 1000).delete()


def test_a_quarantine_recorded_after_expanding_withdraws_the_secondary_contacts_it_cuts_off(
    world,
):
    # The same facts in the other order: expand first, then record the close
    # contact's quarantine before the exposure that made a secondary contact.
    c = case(world.village)
    close, later = person(world.village), person(world.village)
    expose(c, c.person, close, at(13))
    expose(c, close, later, at(15, 6))
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=at(15, 9))
    assert Contact.objects.get(person=later).kind == "secondary"
    assert Handoff.objects.filter(person=later, status="open").count() == 3
    contact = Contact.objects.get(person=close)
    actions.do_mark_quarantined(contact, acting_user=world.tracer, quarantined_at=at(15, 0))
    # Recording the quarantine expands the case again at once: the secondary
    # contact it cuts off goes now, not at the next expansion.
    expanded = AuditEvent.objects.filter(action="contacts.expand").order_by("pk").last()
    assert expanded.detail["withdrawn"] == 1
    assert expanded.actor_id == world.tracer.pk
    assert not Contact.objects.filter(person=later).exists()
    cancelled = Handoff.objects.filter(person=later)
    assert set(cancelled.values_list("status", flat=True)) == {"cancelled"}
    assert all(h.outcome.startswith("no longer a contact") for h in cancelled)
    event = AuditEvent.objects.get(action="contacts.withdraw")
    assert event.detail["contacts"][0]["person_id"] == later.pk
    assert "no longer reach them" in event.detail["reason"]
    # Their code follows: no contact fact is left for it.
    from zhanyi.tracing.health_facts import facts

    assert "contacts" not in facts([later.pk], at(16)).get(later.pk, {})
    # Expanding later finds nothing more to withdraw: the same answer.
    result = actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=at(16))
    assert result.withdrawn == 0
    assert not Contact.objects.filter(person=later).exists()


def test_a_contact_who_becomes_a_case_stays_in_the_chain_without_contact_work(world):
    c = case(world.village)
    close = person(world.village)
    expose(c, c.person, close, at(13))
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=AS_OF)
    actions.do_create_case_from_result(
        person=close,
        sampled_at=at(15, 8),
        reported_at=at(15, 14),
        source="testing.tube:CH1",
        acting_user=world.tracer,
    )
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=at(16))
    assert Contact.objects.filter(case=c, person=close).exists()
    assert not Handoff.objects.filter(person=close, status="open").exists()


def test_every_setting_a_protocol_file_names_has_a_label():
    from zhanyi.engine.protocol import PROTOCOLS_DIR
    from zhanyi.tracing.models import ExposureSetting

    for path in sorted(PROTOCOLS_DIR.glob("*.toml")):
        named = set(load_protocol(path).contacts.settings)
        assert named <= set(ExposureSetting.values), path.name
    eighth = set(load_protocol("edition-8").contacts.settings)
    # The 8th edition's settings: carers and treating staff, a shared toilet
    # or lift, entertainment in a closed space among them.
    assert {"carer", "treatment", "toilet", "lift", "entertainment"} <= eighth


def test_a_lift_counts_under_the_eighth_edition(world):
    c = case(world.village)
    p = person(world.village)
    expose(c, c.person, p, at(13), setting="lift")
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=AS_OF)
    assert Contact.objects.get(person=p).kind == "close"


def test_a_suspected_case_has_close_contacts_but_upgrades_nobody(world):
    c = case(world.village)
    close, secondary = person(world.village), person(world.village)
    expose(c, c.person, close, at(13))
    expose(c, close, secondary, at(14))
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=AS_OF)
    suspected = actions.do_create_case(
        acting_user=SYSTEM,
        person=close,
        classification="suspected",
        sampled_at=at(15, 8),
        reported_at=at(15, 20),
        onset_date=dt.date(2021, 9, 14),
        isolated_at=at(15, 21),
    )
    actions.do_expand_contacts(acting_user=SYSTEM, as_of=at(16))
    assert Contact.objects.get(case=c, person=secondary).kind == "secondary"
    assert Contact.objects.filter(case=suspected, person=secondary, kind="close").exists()
