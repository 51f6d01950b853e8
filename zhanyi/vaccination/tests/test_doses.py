from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhanyi.core.models import AuditEvent
from zhanyi.vaccination import actions
from zhanyi.vaccination.models import Appointment, AppointmentState, Dose

from .factories import days_ago, person, site, vaccines

pytestmark = pytest.mark.django_db


def test_a_site_records_a_course_and_the_second_dose_completes_it(world):
    v = vaccines()
    s = site(world.village)
    p = person(world.village, "张三")
    first = actions.do_record_dose(
        acting_user=world.tracer,
        person=p,
        vaccine=v["bbibp"],
        dose_number=1,
        site=s,
        batch="202108001",
        given_at=days_ago(30),
    )
    second = actions.do_record_dose(
        acting_user=world.tracer, person=p, vaccine=v["bbibp"], dose_number=2, site=s
    )
    assert not first.completes_course and second.completes_course
    assert first.village == world.village and first.birth_date == p.birth_date
    event = AuditEvent.objects.filter(action="vaccination.dose.record").order_by("pk").last()
    assert event.detail["dose_number"] == 2 and event.detail["site"] == s.name


def test_a_dose_recorded_twice_is_refused_naming_the_earlier_dose(world):
    v = vaccines()
    s = site(world.village)
    p = person(world.village, "李四")
    actions.do_record_dose(
        acting_user=world.tracer, person=p, vaccine=v["ad5"], dose_number=1, site=s
    )
    with pytest.raises(ValidationError) as refused:
        actions.do_record_dose(
            acting_user=world.tracer, person=p, vaccine=v["ad5"], dose_number=1, site=s
        )
    message = refused.value.message_dict["dose_number"][0]
    assert "李四 already has dose 1" in message and s.name in message
    assert "a dose is recorded once" in message
    assert Dose.objects.filter(person=p).count() == 1


def test_a_second_dose_before_the_protocols_interval_is_refused(world):
    v = vaccines()
    s = site(world.village)
    p = person(world.village, "王五")
    actions.do_record_dose(
        acting_user=world.tracer,
        person=p,
        vaccine=v["bbibp"],
        dose_number=1,
        site=s,
        given_at=days_ago(10),
    )
    with pytest.raises(ValidationError) as refused:
        actions.do_record_dose(
            acting_user=world.tracer, person=p, vaccine=v["bbibp"], dose_number=2, site=s
        )
    assert "at least 21 days after dose 1" in refused.value.message_dict["given_at"][0]


def test_a_dose_without_the_one_before_or_beyond_the_course_is_refused(world):
    v = vaccines()
    s = site(world.village)
    p = person(world.village, "赵六")
    with pytest.raises(ValidationError) as refused:
        actions.do_record_dose(
            acting_user=world.tracer, person=p, vaccine=v["bbibp"], dose_number=2, site=s
        )
    assert "has no dose 1 recorded" in refused.value.message_dict["dose_number"][0]
    with pytest.raises(ValidationError) as refused:
        actions.do_record_dose(
            acting_user=world.tracer, person=p, vaccine=v["ad5"], dose_number=3, site=s
        )
    assert "given in doses 1 to 2, not 3" in refused.value.message_dict["dose_number"][0]


def test_another_countys_staff_and_a_leader_may_not_record(world):
    v = vaccines()
    s = site(world.village)
    p = person(world.village, "钱七")
    for user in (world.other_county_staff, world.leader):
        with pytest.raises(PermissionDenied):
            actions.do_record_dose(
                acting_user=user, person=p, vaccine=v["ad5"], dose_number=1, site=s
            )
    assert not Dose.objects.exists()


def test_a_dose_given_marks_the_persons_appointment_attended(world):
    v = vaccines()
    s = site(world.village)
    p = person(world.village, "孙八")
    appointment = actions.do_book_appointment(
        acting_user=world.tracer, site=s, slot_at=days_ago(0), person=p
    )
    unit = actions.do_book_appointment(
        acting_user=world.tracer, site=s, slot_at=days_ago(0), work_unit="漳州港务局", headcount=40
    )
    with pytest.raises(ValidationError) as refused:
        actions.do_book_appointment(acting_user=world.tracer, site=s, slot_at=days_ago(0), person=p)
    assert "孙八 already has an appointment for dose 1" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        actions.do_book_appointment(
            acting_user=world.tracer, site=s, slot_at=days_ago(0), person=p, work_unit="港务局"
        )
    assert "one person or for a work unit, not both" in refused.value.messages[0]
    actions.do_record_dose(
        acting_user=world.tracer, person=p, vaccine=v["ad5"], dose_number=1, site=s
    )
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.ATTENDED
    assert Appointment.objects.get(pk=unit.pk).headcount == 40
    actions.do_cancel_appointment(unit, acting_user=world.tracer)
    with pytest.raises(ValidationError) as refused:
        actions.do_cancel_appointment(unit, acting_user=world.tracer)
    assert "is Cancelled already" in refused.value.messages[0]


def test_a_vaccine_without_a_course_in_the_protocol_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        actions.do_add_vaccine(acting_user=world.commander, code="mrna", name="mRNA")
    assert "The protocol has no course for vaccine mrna" in refused.value.messages[0]
    with pytest.raises(PermissionDenied):
        actions.do_add_vaccine(acting_user=world.tracer, code="bbibp", name="国药")
