"""Discharge crosses two task forces: hospital care (``zhanyi.care``) decides it
under the protocol's criteria and tracing's case ends discharged, its health
code recomputed, in the same transaction (``case_discharge`` work through
``zhanyi.handoffs.receivers``). Care is the one way to discharge a case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhanyi.care import actions
from zhanyi.care.models import Admission
from zhanyi.care.tests.factories import ACTOR, admitted, at, hospital, ready_for_discharge
from zhanyi.core.models import AuditEvent
from zhanyi.core.testing import english  # noqa: F401  (English messages)
from zhanyi.people.models import HealthCode, HealthCodeChange
from zhanyi.tracing import actions as tracing_actions
from zhanyi.tracing.models import Case

pytestmark = pytest.mark.django_db


def test_admission_names_the_hospital_and_discharge_ends_the_case_discharged(world):
    _h, ward = hospital(world.city)
    _h2, ward2 = hospital(world.city, name="厦门市定点医院")
    a = admitted(world.village, ward)
    case = Case.objects.get(person=a.person)
    assert a.case_id == case.pk
    assert case.hospital == "漳州市定点医院" and case.transferred_at == at(0)
    actions.do_transfer(a, ward2, acting_user=world.tracer, reason="转院", at=at(5))
    case.refresh_from_db()
    assert case.hospital == "厦门市定点医院" and case.transferred_at == at(0)
    ready_for_discharge(a, user=world.tracer)
    before = HealthCode.objects.get(person=a.person)
    assert before.colour == "red"
    actions.do_discharge(a, acting_user=world.tracer, at=at(100))
    case.refresh_from_db()
    assert case.status == "discharged" and case.discharged_at == at(100)
    change = HealthCodeChange.objects.filter(person=a.person).latest("changed_at")
    assert change.trigger == f"tracing.case:{case.pk} discharged"
    # Discharged 16 days ago: the 14 days of health monitoring are over.
    assert (change.previous_colour, change.colour) == ("red", "green")
    assert AuditEvent.objects.filter(action="case.discharge").count() == 1
    assert AuditEvent.objects.filter(action="care.discharge").count() == 1


def test_a_refusal_in_tracing_leaves_nothing_half_stored(world):
    _h, ward = hospital(world.city)
    a = admitted(world.village, ward)
    ready_for_discharge(a)
    case = Case.objects.get(person=a.person)
    tracing_actions.do_void_case(case, acting_user=ACTOR, reason="录入错误")
    with pytest.raises(ValidationError) as error:
        actions.do_discharge(a, acting_user=ACTOR, at=at(100))
    assert "has no case" in " ".join(error.value.messages)
    a.refresh_from_db()
    assert a.discharged_at is None and a.monitoring_until is None
    assert not AuditEvent.objects.filter(action="care.discharge").exists()


def test_a_refused_discharge_leaves_the_case_in_hospital(world):
    _h, ward = hospital(world.city)
    a = admitted(world.village, ward)
    with pytest.raises(ValidationError):
        actions.do_discharge(a, acting_user=world.tracer, at=at(100))
    assert Case.objects.get(person=a.person).discharged_at is None
    assert Admission.objects.get(pk=a.pk).discharged_at is None


def test_tracing_keeps_no_second_way_to_discharge():
    assert not hasattr(tracing_actions, "do_discharge_case")


def test_a_case_discharged_lately_is_yellow_for_the_monitoring_days(world):
    origin = timezone.now() - dt.timedelta(days=6)
    _h, ward = hospital(world.city)
    a = admitted(world.village, ward, origin=origin)
    ready_for_discharge(a, origin=origin)
    actions.do_discharge(a, acting_user=ACTOR, at=at(100, origin))
    code = HealthCode.objects.get(person=a.person)
    assert code.colour == "yellow"
    assert code.until == at(100, origin) + dt.timedelta(days=14)


def test_a_case_positive_after_discharge_is_admitted_again_and_open_again(world):
    origin = timezone.now() - dt.timedelta(days=8)
    _h, ward = hospital(world.city)
    a = admitted(world.village, ward, origin=origin)
    ready_for_discharge(a, origin=origin)
    actions.do_discharge(a, acting_user=ACTOR, at=at(100, origin))
    actions.do_record_test(a, acting_user=ACTOR, result="positive", sampled_at=at(150, origin))
    with pytest.raises(ValidationError) as error:
        actions.do_admit(
            a.person, ward, condition="mild", acting_user=ACTOR, admitted_at=at(90, origin)
        )
    assert "was discharged at" in " ".join(error.value.messages)
    again = actions.do_admit(
        a.person, ward, condition="mild", acting_user=ACTOR, admitted_at=at(152, origin)
    )
    case = Case.objects.get(person=a.person)
    assert again.case_id == case.pk and case.discharged_at is None
    assert case.status in ("investigating", "investigated")
    assert HealthCode.objects.get(person=a.person).colour == "red"
    from zhanyi.care.metrics import monitoring

    assert monitoring(None) == 0
