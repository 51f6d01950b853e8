from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhanyi.clinics import actions
from zhanyi.clinics.models import BuyerReport
from zhanyi.handoffs.actions import do_close_handoff
from zhanyi.handoffs.models import HandoffKind
from zhanyi.people.models import Person

from .factories import ACTOR, person, pharmacy

pytestmark = pytest.mark.django_db


def test_messy_input_is_linked_to_the_person_index(world):
    shop = pharmacy(world.village)
    known = person(world.village, "张三", phone="+8613955501234")
    report = actions.do_report_buyer(
        shop,
        actions.Buyer(name=" 張三 (其子)", phone="+86 139-5550-1234", identity_number="12345"),
        medicine="fever",
        medicine_name="布洛芬",
        acting_user=world.village_member,
    )
    assert report.person == known and report.linked_by == "name_phone"
    assert any("is not valid" in w for w in report.warnings)
    assert any("was read as 张*" in w for w in report.warnings)
    by_number = actions.do_report_buyer(
        shop,
        actions.Buyer(name="张叁", identity_number=known.identity_number.lower()),
        medicine="cough",
        acting_user=ACTOR,
    )
    assert by_number.person == known and by_number.linked_by == "identity"


def test_an_unknown_buyer_becomes_a_person_in_the_pharmacys_village(world):
    shop = pharmacy(world.village)
    report = actions.do_report_buyer(
        shop,
        actions.Buyer(name="陈新", phone="13800001111"),
        medicine="fever",
        acting_user=world.village_member,
    )
    assert report.linked_by == "new"
    new = Person.objects.get(name="陈新")
    assert new.phone == "+8613800001111" and new.village == world.village
    assert report.area == world.village


def test_a_name_alone_is_refused_and_nothing_is_stored(world):
    shop = pharmacy(world.village)
    with pytest.raises(ValidationError) as refused:
        actions.do_report_buyer(
            shop, actions.Buyer(name="无名", phone="12"), medicine="fever", acting_user=ACTOR
        )
    assert "a name alone cannot be followed up" in refused.value.message_dict["phone"][0]
    with pytest.raises(ValidationError, match="Say which medicine"):
        actions.do_report_buyer(
            shop, actions.Buyer(name="甲", phone="13800001111"), medicine="tea", acting_user=ACTOR
        )
    assert not BuyerReport.objects.exists() and not Person.objects.filter(name="甲").exists()


def test_each_report_is_a_test_task_or_a_village_visit_followed_to_its_end(world):
    shop = pharmacy(world.village)
    tested = actions.do_report_buyer(
        shop, actions.Buyer(name="甲", phone="13800001111"), medicine="fever", acting_user=ACTOR
    )
    h = tested.handoff
    assert (h.kind, h.to_task_force, h.detail["tests"][0]["stage"]) == (
        HandoffKind.TEST,
        "testing",
        "pharmacy_buyer",
    )
    assert h.due_at - h.created_at < dt.timedelta(hours=24, minutes=1)
    visited = actions.do_report_buyer(
        shop,
        actions.Buyer(name="乙", phone="13800002222"),
        medicine="cough",
        follow_up="visit",
        acting_user=ACTOR,
    )
    v = visited.handoff
    assert (v.kind, v.to_task_force) == (HandoffKind.CONTROL, "community")
    now = timezone.now()
    assert visited.state(now) == "open"
    assert visited.state(now + dt.timedelta(hours=13)) == "overdue"
    do_close_handoff(v, acting_user=ACTOR, outcome="居家管控")
    visited.refresh_from_db()
    assert visited.state(now + dt.timedelta(hours=13)) == "done"
