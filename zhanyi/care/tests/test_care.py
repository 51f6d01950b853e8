"""Admission, condition, transfer, discharge under the protocol's criteria and
the monitoring after it, through the actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhanyi.care import actions, queries
from zhanyi.care.models import Admission, Alert, ConditionRecord
from zhanyi.core.models import AuditEvent
from zhanyi.handoffs.models import Handoff

from .factories import ACTOR, admitted, at, case, hospital, person, ready_for_discharge

pytestmark = pytest.mark.django_db


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_a_case_is_admitted_with_its_condition_and_the_audit(world):
    _h, ward = hospital(world.city)
    a = admitted(world.village, ward)
    assert a.area == world.village and a.case_id > 0 and a.protocol == "edition-8"
    assert list(a.conditions.values_list("condition", flat=True)) == ["moderate"]
    event = AuditEvent.objects.get(action="care.admit")
    assert (
        event.area_path == world.village.path
        and "张*" in event.object_label
        and "张三" not in event.object_label
    )


def test_a_person_without_a_case_is_refused(world):
    _h, ward = hospital(world.city)
    with pytest.raises(ValidationError) as error:
        actions.do_admit(person(world.village), ward, condition="mild", acting_user=ACTOR)
    assert "has no case: only a case is admitted" in messages(error.value)
    assert not Admission.objects.exists()


def test_a_full_ward_a_hospital_not_designated_and_a_second_stay_are_refused(world):
    _h, ward = hospital(world.city, beds=1)
    a = admitted(world.village, ward)
    with pytest.raises(ValidationError) as error:
        admitted(world.village, ward, "李四", 2)
    assert "has 1 beds, all taken" in messages(error.value)
    _o, other = hospital(world.city, name="普通医院", designated=False)
    with pytest.raises(ValidationError) as error:
        actions.do_admit(a.person, other, condition="mild", acting_user=ACTOR)
    assert "is not a designated hospital" in messages(error.value)
    _h2, ward2 = hospital(world.city, name="第二定点医院")
    with pytest.raises(ValidationError) as error:
        actions.do_admit(a.person, ward2, condition="mild", acting_user=ACTOR)
    assert "is in 漳州市定点医院 already" in messages(error.value)


def test_the_condition_over_time_with_who_and_when(world):
    _h, ward = hospital(world.city)
    a = admitted(world.village, ward, condition="mild")
    actions.do_record_condition(a, "severe", acting_user=world.tracer, at=at(10), note="气促")
    actions.do_record_condition(a, "moderate", acting_user=world.tracer, at=at(5))
    a.refresh_from_db()
    assert a.condition == "severe"  # the latest assessment, not the latest entry
    rows = list(ConditionRecord.objects.filter(admission=a).values_list("condition", flat=True))
    assert rows == ["mild", "moderate", "severe"]
    assert ConditionRecord.objects.filter(recorded_by_name=world.tracer.username).count() == 2
    with pytest.raises(ValidationError) as error:
        actions.do_record_condition(a, "grave", acting_user=world.tracer)
    assert "Unknown condition grave" in messages(error.value)
    with pytest.raises(ValidationError) as error:
        actions.do_record_condition(a, "mild", acting_user=world.tracer, at=at(-1))
    assert "is before the admission" in messages(error.value)


def test_a_transfer_moves_the_case_and_its_bed(world):
    _h, ward = hospital(world.city, beds=1)
    h2, ward2 = hospital(world.city, name="第二定点医院")
    a = admitted(world.village, ward)
    actions.do_transfer(a, ward2, acting_user=world.tracer, reason="转重症", at=at(3))
    a.refresh_from_db()
    assert (a.hospital, a.ward) == (h2, ward2)
    admitted(world.village, ward, "李四", 2)  # the bed left is free
    with pytest.raises(ValidationError) as error:
        actions.do_transfer(a, ward2, acting_user=world.tracer, reason="x")
    assert "is in ward 一病区 already" in messages(error.value)
    with pytest.raises(ValidationError) as error:
        actions.do_transfer(a, ward, acting_user=world.tracer, reason=" ")
    assert "Say why" in messages(error.value)


def test_discharge_is_refused_saying_each_criterion_that_fails(world):
    _h, ward = hospital(world.city)
    a = admitted(world.village, ward)
    with pytest.raises(ValidationError) as error:
        actions.do_discharge(a, acting_user=world.tracer, at=at(100))
    text = messages(error.value)
    assert "Discharge refused." in text
    assert "Temperature: none recorded; it must be normal for 3 days." in text
    assert "Respiratory symptoms: not assessed" in text
    assert "Lung imaging: not assessed" in text
    assert "0 negative respiratory samples in a row at least 24 h apart; 2 are needed" in text
    a.refresh_from_db()
    assert a.discharged_at is None


def test_discharge_at_the_boundary_holds_and_a_minute_short_does_not(world):
    _h, ward = hospital(world.city)
    a = admitted(world.village, ward)
    minute = dt.timedelta(minutes=1)
    actions.do_record_observation(a, acting_user=ACTOR, at=at(1), temperature="37.3")
    actions.do_record_observation(a, acting_user=ACTOR, at=at(2), temperature="37,2")
    actions.do_record_observation(a, acting_user=ACTOR, at=at(74) - minute, temperature=" 36.9 ")
    actions.do_record_observation(
        a, acting_user=ACTOR, at=at(74), respiratory="none", imaging="improved"
    )
    actions.do_record_test(a, acting_user=ACTOR, result="negative", sampled_at=at(50))
    actions.do_record_test(a, acting_user=ACTOR, result="negative", sampled_at=at(74) - minute)
    with pytest.raises(ValidationError) as error:
        actions.do_discharge(a, acting_user=ACTOR, at=at(74))
    text = messages(error.value)
    assert "Temperature: normal (below 37.3 °C) since" in text
    assert "71 h; it must be normal for 3 days" in text
    assert "1 negative respiratory samples in a row at least 24 h apart; 2 are needed" in text
    assert "Respiratory" not in text and "Lung" not in text
    actions.do_record_observation(a, acting_user=ACTOR, at=at(74), temperature="36.8")
    actions.do_record_test(a, acting_user=ACTOR, result="negative", sampled_at=at(74))
    done = actions.do_discharge(a, acting_user=ACTOR, at=at(74))
    assert done.discharged_at == at(74)
    assert done.monitoring_until == at(74) + dt.timedelta(days=14)


def test_a_fever_at_the_latest_reading_and_a_positive_last_test_are_named(world):
    _h, ward = hospital(world.city)
    a = admitted(world.village, ward)
    ready_for_discharge(a)
    actions.do_record_observation(a, acting_user=ACTOR, at=at(97), temperature="37.5")
    actions.do_record_test(
        a, acting_user=ACTOR, result="positive", sampled_at=at(97), ct_orf1ab="36.5"
    )
    with pytest.raises(ValidationError) as error:
        actions.do_discharge(a, acting_user=ACTOR, at=at(98))
    text = messages(error.value)
    assert "37.5 °C at" in text and "a fever (from 37.3 °C)" in text
    assert "the latest respiratory sample" in text and "is positive" in text


def test_inputs_are_refused_saying_what(world):
    _h, ward = hospital(world.city)
    a = admitted(world.village, ward)
    cases = [
        ({"temperature": "3.65"}, "3.6 °C is not a body temperature (34.0–43.0 °C)"),
        ({"temperature": "abc"}, "abc is not a temperature in °C"),
        ({}, "Record a temperature, the respiratory symptoms or the lung imaging"),
        ({"respiratory": "better"}, "Unknown assessment better"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValidationError) as error:
            actions.do_record_observation(a, acting_user=ACTOR, **kwargs)
        assert message in messages(error.value)
    with pytest.raises(ValidationError) as error:
        actions.do_record_test(a, acting_user=ACTOR, result="negative", ct_n="55")
    assert "A Ct value lies between 0 and 50, not 55.0" in messages(error.value)
    with pytest.raises(ValidationError) as error:
        actions.do_record_test(
            a, acting_user=ACTOR, result="negative", sampled_at=at(0) + dt.timedelta(days=30)
        )
    assert "is in the future" in messages(error.value)


def test_an_outsider_and_another_county_are_refused(world):
    _h, ward = hospital(world.city)
    a = admitted(world.village, ward)
    for user in (world.other_county_staff, world.outsider):
        with pytest.raises(PermissionDenied):
            actions.do_record_condition(a, "mild", acting_user=user)
        with pytest.raises(PermissionDenied):
            actions.do_discharge(a, acting_user=user)
    with pytest.raises(PermissionDenied):
        actions.do_record_condition(a, "mild", acting_user=world.leader)
    other = case(world.other_village, "王五", 3)
    with pytest.raises(PermissionDenied):
        actions.do_admit(other, ward, condition="mild", acting_user=world.tracer)
    assert not Admission.objects.filter(person=other).exists()
    with pytest.raises(PermissionDenied):
        queries.admissions_for(world.outsider)


def test_daily_check_ins_after_discharge_and_a_fever_alert(world):
    _h, ward = hospital(world.city)
    a = admitted(world.village, ward)
    ready_for_discharge(a)
    with pytest.raises(ValidationError) as error:
        actions.do_check_in(a, acting_user=ACTOR, temperature="36.5")
    assert "check-ins follow the discharge" in messages(error.value)
    a = actions.do_discharge(a, acting_user=ACTOR, at=at(100))
    first = actions.do_check_in(a, acting_user=ACTOR, temperature="36.5", at=at(124))
    assert first.day >= 1
    with pytest.raises(ValidationError) as error:
        actions.do_check_in(
            a, acting_user=ACTOR, temperature="36.4", at=at(124) + dt.timedelta(minutes=5)
        )
    assert f"Day {first.day} has its check-in already" in messages(error.value)
    actions.do_check_in(a, acting_user=ACTOR, temperature="37.3", at=at(148))
    alert = Alert.objects.get(admission=a)
    assert alert.kind == "fever" and "37.3 °C" in alert.detail
    with pytest.raises(ValidationError) as error:
        actions.do_check_in(a, acting_user=ACTOR, temperature="36.5", at=at(100 + 14 * 24))
    assert "The monitoring ended at" in messages(error.value)
    with pytest.raises(ValidationError) as error:
        actions.do_close_alert(alert, acting_user=ACTOR, outcome="")
    actions.do_close_alert(alert, acting_user=ACTOR, outcome="复诊无异常")
    assert not queries.alerts_for(world.commander).exists()


def test_a_positive_after_discharge_is_an_alert_and_a_control_handoff(world):
    _h, ward = hospital(world.city)
    a = admitted(world.village, ward)
    ready_for_discharge(a)
    a = actions.do_discharge(a, acting_user=ACTOR, at=at(100))
    actions.do_record_test(
        a, acting_user=world.tracer, result="positive", sampled_at=at(100 + 7 * 24)
    )
    alert = Alert.objects.get(admission=a)
    assert alert.kind == "repositive"
    handoff = Handoff.objects.get(kind="control", person=a.person)
    assert handoff.area == world.village and handoff.to_task_force == "community"
    assert handoff.due_at == at(100 + 7 * 24 + 2)
    assert handoff.detail["reason"] == "repositive"
    assert queries.alerts_for(world.tracer).count() == 1
    assert not queries.alerts_for(world.other_county_staff).exists()


def test_monitoring_rows_show_the_day_and_missed_check_ins(world):
    _h, ward = hospital(world.city)
    a = admitted(world.village, ward)
    ready_for_discharge(a)
    a = actions.do_discharge(a, acting_user=ACTOR, at=at(100))
    actions.do_check_in(a, acting_user=ACTOR, temperature="36.5", at=at(124))
    rows = queries.monitoring_for(world.tracer, now=at(100 + 4 * 24))
    assert len(rows) == 1 and rows[0].day >= 4 and rows[0].days == 14
    assert (rows[0].missed and 1 not in rows[0].missed) or rows[0].missed == [2, 3]
    assert queries.monitoring_for(world.tracer, now=at(100 + 15 * 24)) == []


def test_follow_up_tests_in_weeks_2_and_4_are_deadlines(world):
    from zhanyi.care.deadlines import follow_ups

    _h, ward = hospital(world.city)
    a = admitted(world.village, ward)
    ready_for_discharge(a)
    a = actions.do_discharge(a, acting_user=ACTOR, at=at(100))
    week = dt.timedelta(days=7)
    # At the end of week 2 exactly nothing is late; a minute later week 2 is.
    assert follow_ups(None, at(100) + 2 * week) == []
    late = follow_ups(world.county, at(100) + 2 * week + dt.timedelta(minutes=1))
    assert [(i.what, i.whose, i.closed_at) for i in late] == [
        ("Follow-up test in week 2 after discharge", "张*", None)
    ]
    # A test in week 1 does not count for week 2; one sampled in week 3 closes it late.
    actions.do_record_test(a, acting_user=ACTOR, result="negative", sampled_at=at(99) + week)
    actions.do_record_test(
        a,
        acting_user=ACTOR,
        result="negative",
        sampled_at=at(100) + 2 * week + dt.timedelta(hours=5),
    )
    items = follow_ups(None, at(100) + 2 * week + dt.timedelta(days=1))
    assert [i.closed_at for i in items] == [at(100) + 2 * week + dt.timedelta(hours=5)]
    assert follow_ups(world.other_village.parent.parent, at(100) + 5 * week) == []
