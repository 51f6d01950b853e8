"""Changing a person: old → new values kept, reasons required, audit written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhanyi.core.models import AuditEvent
from zhanyi.people import actions
from zhanyi.people.models import PersonChange

from .factories import make_person, resident_id


def test_it_keeps_old_and_new_values_and_audits_the_fields(world):
    person = make_person(world.village, "张三", phone="+8613812345678")
    actions.do_update_person(
        acting_user=world.tracer,
        person=person,
        reason="电话核实",
        changes={"phone": "139 0000 1111", "village": world.village2},
    )
    person.refresh_from_db()
    assert person.phone == "+8613900001111" and person.village == world.village2
    change = PersonChange.objects.get(person=person, kind="updated")
    assert change.changes == {
        "phone": ["+8613812345678", "+8613900001111"],
        "village": ["东铺头社区 (350602001001)", "南昌社区 (350602001002)"],
    }
    assert change.reason == "电话核实"
    event = AuditEvent.objects.get(action="person.update")
    assert event.detail["fields"] == ["phone", "village"]
    assert "+8613900001111" not in str(event.detail)  # values stay out of the audit trail


def test_a_reason_is_required(world):
    person = make_person(world.village)
    with pytest.raises(ValidationError) as caught:
        actions.do_update_person(
            acting_user=world.tracer, person=person, changes={"name": "张叁"}, reason=" "
        )
    assert "reason" in caught.value.message_dict


def test_nothing_changed_writes_no_history(world):
    person = make_person(world.village, "张三")
    actions.do_update_person(
        acting_user=world.tracer, person=person, changes={"name": " 张三 "}, reason="check"
    )
    assert not PersonChange.objects.filter(kind="updated").exists()
    assert not AuditEvent.objects.filter(action="person.update").exists()


def test_a_new_birth_date_must_still_agree_with_the_number(world):
    person = make_person(world.village, identity_number=resident_id("19900101", 123))
    with pytest.raises(ValidationError) as caught:
        actions.do_update_person(
            acting_user=world.tracer,
            person=person,
            changes={"birth_date": dt.date(1990, 1, 2)},
            reason="typo",
        )
    assert "birth_date" in caught.value.message_dict


def test_a_document_held_by_another_person_is_refused(world):
    other = make_person(world.village, "李四")
    person = make_person(world.village, "张三")
    with pytest.raises(ValidationError) as caught:
        actions.do_update_person(
            acting_user=world.tracer,
            person=person,
            reason="typo",
            changes={
                "identity_number": other.identity_number,
                "birth_date": other.birth_date,
                "sex": other.sex,
            },
        )
    assert "merge the two instead" in caught.value.message_dict["identity_number"][0]


def test_it_refuses_moving_a_person_out_of_the_users_jurisdiction(world):
    person = make_person(world.village)
    with pytest.raises(ValidationError) as caught:
        actions.do_update_person(
            acting_user=world.tracer,
            person=person,
            reason="moved",
            changes={"village": world.other_village},
        )
    assert "outside your jurisdiction" in caught.value.message_dict["village"][0]


def test_a_village_team_member_may_edit_only_their_village(world):
    mine = make_person(world.village)
    theirs = make_person(world.village2, "王五")
    actions.do_update_person(
        acting_user=world.village_member,
        person=mine,
        changes={"address": "东铺头社区3号"},
        reason="door-to-door",
    )
    with pytest.raises(PermissionDenied):
        actions.do_update_person(
            acting_user=world.village_member, person=theirs, changes={"address": "x"}, reason="x"
        )


def test_a_leader_cannot_edit(world):
    person = make_person(world.village)
    with pytest.raises(PermissionDenied):
        actions.do_update_person(
            acting_user=world.leader, person=person, changes={"name": "x"}, reason="x"
        )


def test_unknown_fields_are_refused(world):
    person = make_person(world.village)
    with pytest.raises(ValidationError) as caught:
        actions.do_update_person(
            acting_user=world.tracer, person=person, changes={"merged_into": None}, reason="x"
        )
    assert "merged_into" in caught.value.message_dict


def test_a_new_resident_number_brings_its_own_birth_date_and_sex(world):
    person = make_person(world.village, identity_number=resident_id("19900101", 123))
    actions.do_update_person(
        acting_user=world.tracer,
        person=person,
        reason="证件核实",
        changes={"identity_number": resident_id("19920202", 246)},
    )
    person.refresh_from_db()
    assert (person.birth_date, person.sex) == (dt.date(1992, 2, 2), "female")
    change = PersonChange.objects.get(kind="updated")
    assert set(change.changes) == {"identity_number", "birth_date", "sex", "nationality"}
