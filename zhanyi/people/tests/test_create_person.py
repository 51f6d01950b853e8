"""Creating a person: validation, the duplicate check, source record, history and audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhanyi.core.models import AuditEvent
from zhanyi.people import actions
from zhanyi.people.models import Person, PersonChange, SourceRecord

from .factories import make_person, person_data, resident_id


def test_it_creates_a_person_with_a_source_record_history_and_audit(world):
    person = actions.do_create_person(
        acting_user=world.tracer,
        data=person_data(world.village),
        source="interview",
        source_ref="流调 0916-3",
    )
    assert person.phone == "+8613812345678"
    record = SourceRecord.objects.get(person=person)
    assert (record.source, record.source_ref, record.received_by) == (
        "interview",
        "流调 0916-3",
        world.tracer,
    )
    assert record.payload["phone"] == "138 1234 5678"  # as received, not normalised
    assert record.payload["village"] == world.village.code
    change = PersonChange.objects.get(person=person)
    assert change.kind == "created" and change.changed_by == world.tracer
    assert change.changes["name"] == [None, "李四"]
    event = AuditEvent.objects.get(action="person.create")
    assert (event.actor, event.object_type, event.object_id) == (
        world.tracer,
        "people.person",
        str(person.pk),
    )
    assert "李四" not in event.object_label  # the audit trail carries the masked name
    assert event.area_path == world.village.path


def test_it_refuses_bad_data_naming_the_field(world):
    with pytest.raises(ValidationError) as caught:
        actions.do_create_person(
            acting_user=world.tracer, data=person_data(world.village, phone="12")
        )
    assert list(caught.value.message_dict) == ["phone"]
    assert not Person.objects.exists()


def test_it_refuses_a_village_outside_the_users_jurisdiction(world):
    with pytest.raises(ValidationError) as caught:
        actions.do_create_person(acting_user=world.tracer, data=person_data(world.other_village))
    assert caught.value.message_dict["village"] == [
        "The village 新华社区 is outside your jurisdiction."
    ]


def test_a_person_without_a_village_needs_a_city_level_user(world):
    with pytest.raises(ValidationError) as caught:
        actions.do_create_person(acting_user=world.tracer, data=person_data(None))
    assert "village" in caught.value.message_dict
    person = actions.do_create_person(acting_user=world.commander, data=person_data(None))
    assert person.village is None


@pytest.mark.parametrize("persona", ["leader", "admin", "outsider"])
def test_roles_that_do_not_edit_persons_cannot_create_one(world, persona):
    with pytest.raises(PermissionDenied):
        actions.do_create_person(
            acting_user=getattr(world, persona), data=person_data(world.village)
        )


def test_the_same_document_is_a_duplicate_that_force_cannot_override(world):
    existing = make_person(world.village, "李四", identity_number=resident_id("19850315", 124))
    for force in (False, True):
        with pytest.raises(actions.DuplicatePersonError) as caught:
            actions.do_create_person(
                acting_user=world.tracer,
                data=person_data(world.village2, name="李小四"),
                force=force,
            )
        assert caught.value.blocking
        assert caught.value.candidates == [(existing, ["document"])]
    assert Person.objects.count() == 1


def test_same_name_and_birth_date_is_a_candidate_that_force_may_override(world):
    existing = make_person(world.village, "李四", identity_number="", birth_date="1985-03-15")
    data = person_data(world.village, identity_number="", phone="")
    with pytest.raises(actions.DuplicatePersonError) as caught:
        actions.do_create_person(acting_user=world.tracer, data=data)
    assert caught.value.candidates == [(existing, ["name_birth_date"])]
    assert not caught.value.blocking
    created = actions.do_create_person(acting_user=world.tracer, data=data, force=True)
    assert created.pk != existing.pk
    assert AuditEvent.objects.get(action="person.create").detail["forced"] is True


def test_same_name_and_phone_is_a_candidate(world):
    existing = make_person(world.village, "李四", identity_number="", phone="+8613812345678")
    with pytest.raises(actions.DuplicatePersonError) as caught:
        actions.do_create_person(
            acting_user=world.tracer,
            data=person_data(world.village, identity_number="", birth_date=""),
        )
    assert caught.value.candidates == [(existing, ["name_phone"])]


# Issue 14, finding 14: creating a person told whether a number exists elsewhere ------


def test_a_match_in_another_county_is_not_told_but_is_audited_there(world):
    other = make_person(world.other_village, "李四", identity_number="", birth_date="1985-03-15")
    person = actions.do_create_person(
        acting_user=world.tracer, data=person_data(world.village, identity_number="")
    )
    assert person.village == world.village  # nothing told: created as if no match
    event = AuditEvent.objects.get(action="person.match_outside")
    assert (event.actor, event.object_id, event.area_path) == (
        world.tracer,
        str(other.pk),
        world.other_village.path,
    )
    assert event.detail["reasons"] == ["name_birth_date"]


def test_a_number_held_in_another_county_is_refused_like_a_race_and_audited(world):
    number = resident_id("19850315", 124)
    other = make_person(world.other_village, "王五", identity_number=number)
    with pytest.raises(ValidationError) as caught:
        actions.do_create_person(acting_user=world.tracer, data=person_data(world.village))
    said = " ".join(caught.value.message_dict["identity_number"])
    assert said == "A person with this identity number is already in the index."
    for revealing in ("outside", "jurisdiction", "龙海", "1"):
        assert revealing not in said
    assert Person.objects.filter(identity_number=number).get() == other
    event = AuditEvent.objects.get(action="person.match_outside")  # kept despite the refusal
    assert event.object_id == str(other.pk) and event.detail["reasons"] == ["document"]


def test_a_merged_person_is_not_a_duplicate(world):
    survivor = make_person(world.village, "李四甲", identity_number="")
    merged = make_person(world.village, "李四", identity_number=resident_id("19850315", 124))
    actions.do_merge_persons(
        acting_user=world.tracer, survivor=survivor, merged=merged, reason="same person"
    )
    person = actions.do_create_person(acting_user=world.tracer, data=person_data(world.village))
    assert person.identity_number == merged.identity_number


def test_a_record_for_an_existing_person_is_added_not_overwritten(world):
    person = make_person(world.village, "李四")
    record = actions.do_add_source_record(
        acting_user=world.village_member,
        person=person,
        source="push_list",
        source_ref="莆田协查 0910",
        payload={"name": "李四", "phone": "13812345678"},
    )
    person.refresh_from_db()
    assert person.phone == ""  # the person's own data is untouched
    assert list(person.source_records.order_by("id"))[-1] == record
    assert AuditEvent.objects.filter(action="person.source_add").count() == 1


def test_a_record_cannot_be_added_to_a_person_of_another_county(world):
    person = make_person(world.other_village)
    with pytest.raises(PermissionDenied):
        actions.do_add_source_record(
            acting_user=world.tracer, person=person, source="lab", payload={}
        )


def test_a_bad_phone_and_a_village_outside_are_reported_together(world):
    with pytest.raises(ValidationError) as caught:
        actions.do_create_person(
            acting_user=world.tracer, data=person_data(world.other_village, phone="12")
        )
    assert set(caught.value.message_dict) == {"phone", "village"}
