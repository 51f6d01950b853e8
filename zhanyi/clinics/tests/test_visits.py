from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhanyi.clinics import actions
from zhanyi.clinics.models import Visit
from zhanyi.core.models import AuditEvent
from zhanyi.handoffs.actions import do_record_scheduled_test
from zhanyi.handoffs.models import Handoff, HandoffKind

from .factories import ACTOR, clinic, person

pytestmark = pytest.mark.django_db


def test_pre_triage_levels_the_patient_and_hands_the_test_to_testing(world):
    c = clinic(world.village)
    p = person(world.village)
    visit = actions.do_register_visit(
        c,
        p,
        acting_user=world.tracer,
        temperature=Decimal("38.2"),
        symptoms="咳嗽",
        code_colour="green",
    )
    assert visit.triage == "fever" and visit.triage_reasons == ["fever", "symptoms"]
    test = visit.test_handoff
    assert (test.kind, test.to_task_force, test.person_id) == (HandoffKind.TEST, "testing", p.pk)
    assert test.detail["tests"][0]["stage"] == "fever_clinic"
    assert test.area_id == world.village.pk
    suspected = actions.do_register_visit(
        c, person(world.village, "李四", seq=2), acting_user=ACTOR, epidemiological_history=True
    )
    assert suspected.triage == "suspected"
    assert AuditEvent.objects.filter(action="clinics.visit.register").count() == 2


def test_one_patient_to_a_room_a_second_is_refused_naming_the_room(world):
    c = clinic(world.village, rooms=2)
    room1 = c.rooms.get(name="1")
    first = actions.do_register_visit(c, person(world.village), acting_user=ACTOR, room=room1)
    assert first.in_room and first.room == room1
    second = actions.do_register_visit(c, person(world.village, "李四", seq=2), acting_user=ACTOR)
    with pytest.raises(ValidationError) as refused:
        actions.do_assign_room(second, room1, acting_user=ACTOR)
    message = refused.value.message_dict["room"][0]
    assert "Room 1 of 芗城区医院发热门诊 is occupied by 张** since" in message
    assert "one patient to a room" in message
    actions.do_assign_room(second, c.rooms.get(name="2"), acting_user=ACTOR)
    with pytest.raises(ValidationError, match="is in room 2 already"):
        actions.do_assign_room(second, room1, acting_user=ACTOR)
    actions.do_leave_room(first, acting_user=ACTOR)
    third = actions.do_register_visit(
        c, person(world.village, "王五", seq=3), acting_user=ACTOR, room=room1
    )
    assert third.in_room  # the room was freed
    assert Visit.objects.filter(room=room1, left_room_at=None).count() == 1


def test_a_room_of_another_clinic_and_a_closed_visit_are_refused(world):
    a = clinic(world.village, rooms=1)
    b = clinic(world.village2, name="南昌社区卫生服务中心发热哨点", rooms=1, kind="sentinel")
    visit = actions.do_register_visit(a, person(world.village), acting_user=ACTOR)
    with pytest.raises(ValidationError, match="belongs to 南昌社区卫生服务中心发热哨点"):
        actions.do_assign_room(visit, b.rooms.get(), acting_user=ACTOR)
    actions.do_close_visit(visit, outcome="home", acting_user=ACTOR)
    with pytest.raises(ValidationError, match="This visit ended at"):
        actions.do_assign_room(visit, a.rooms.get(), acting_user=ACTOR)
    with pytest.raises(ValidationError, match="ended already"):
        actions.do_close_visit(visit, outcome="home", acting_user=ACTOR)


def test_referrals_are_hand_offs_to_the_transfer_task_force(world):
    c = clinic(world.village, rooms=2)
    to_hospital = actions.do_register_visit(
        c, person(world.village), acting_user=ACTOR, room=c.rooms.get(name="1")
    )
    actions.do_close_visit(to_hospital, outcome="hospital", note="CT 磨玻璃影", acting_user=ACTOR)
    to_hospital.refresh_from_db()
    admission = to_hospital.referral_handoff
    assert (admission.kind, admission.to_task_force) == (HandoffKind.ADMISSION, "transfer")
    assert admission.due_at - to_hospital.closed_at == dt.timedelta(hours=8)
    assert not to_hospital.in_room  # the room is free again
    to_quarantine = actions.do_register_visit(
        c, person(world.village, "李四", seq=2), acting_user=ACTOR
    )
    actions.do_close_visit(to_quarantine, outcome="quarantine", acting_user=ACTOR)
    transfer = Handoff.objects.get(key=f"clinics.visit:{to_quarantine.pk}:transfer")
    assert transfer.kind == HandoffKind.TRANSFER and transfer.detail["days"] == 14
    with pytest.raises(ValidationError, match="Say how the visit ends"):
        actions.do_close_visit(
            actions.do_register_visit(c, person(world.village, "王五", seq=3), acting_user=ACTOR),
            outcome="",
            acting_user=ACTOR,
        )


def test_refusals_say_why(world):
    c = clinic(world.village)
    p = person(world.village)
    with pytest.raises(ValidationError) as refused:
        actions.do_register_visit(
            c,
            p,
            acting_user=ACTOR,
            temperature=Decimal("3.7"),
            arrived_at=timezone.now() + dt.timedelta(hours=2),
        )
    errors = refused.value.message_dict
    assert "3.7 °C is not a body temperature" in errors["temperature"][0]
    assert "cannot be in the future" in errors["arrived_at"][0]
    assert not Visit.objects.exists() and not Handoff.objects.exists()  # nothing half-stored


def test_another_countys_staff_may_not_register_here(world):
    c = clinic(world.village)
    with pytest.raises(Exception, match="outside your jurisdiction"):
        actions.do_register_visit(c, person(world.village), acting_user=world.other_county_staff)


def test_clinic_staff_are_tested_on_a_standing_schedule(world):
    c = clinic(world.village)
    nurse = person(world.village, "护士甲")
    start = timezone.now()
    staff = actions.do_add_staff(c, nurse, role="nurse", acting_user=ACTOR, now=start)
    h = staff.test_handoff
    tests = h.detail["tests"]
    # every 2 days over a 14-day horizon (the protocol's [clinics])
    assert [t["day"] for t in tests] == [1, 3, 5, 7, 9, 11, 13, 15]
    assert {t["stage"] for t in tests} == {"clinic_staff"}
    assert (h.kind, h.to_task_force, h.status) == (HandoffKind.TEST, "testing", "open")
    # testing samples the nurse (as its due list does): the schedule moves on
    do_record_scheduled_test(h, sampled_at=start, tube="ZZ01", acting_user=ACTOR)
    h.refresh_from_db()
    assert h.due_at > start + dt.timedelta(days=2) and h.status == "open"
    # the clock renews the schedule ahead; the done test stays done
    later = start + dt.timedelta(days=6)
    assert actions.do_renew_staff_schedules(acting_user=ACTOR, now=later) == 1
    h.refresh_from_db()
    assert len(h.detail["tests"]) == 11 and h.detail["tests"][0]["done"] is True
    with pytest.raises(ValidationError, match="works at 芗城区医院发热门诊 already"):
        actions.do_add_staff(c, nurse, role="nurse", acting_user=ACTOR)
    actions.do_end_staff(staff, acting_user=ACTOR)
    h.refresh_from_db()
    assert h.status == "cancelled"
