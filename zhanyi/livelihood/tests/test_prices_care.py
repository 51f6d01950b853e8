from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhanyi.core.models import AuditEvent
from zhanyi.livelihood import actions
from zhanyi.livelihood.models import CareKind

from .factories import good, home, store

pytestmark = pytest.mark.django_db


def test_a_price_over_the_tolerance_is_flagged_and_one_within_is_not(world):
    shop = store(world.village)
    rice = good(price="5.00")
    within = actions.do_record_price_check(shop, rice, price="5.40", acting_user=world.tracer)
    over = actions.do_record_price_check(shop, rice, price="¥5.60", acting_user=world.tracer)
    under = actions.do_record_price_check(shop, rice, price="4.40元", acting_user=world.tracer)
    assert (within.flagged, within.deviation_percent) == (False, Decimal("8.0"))
    assert (over.flagged, over.deviation_percent) == (True, Decimal("12.0"))
    assert (under.flagged, under.deviation_percent) == (True, Decimal("-12.0"))
    event = AuditEvent.objects.filter(action="livelihood.price.check").order_by("pk").last()
    assert event.detail["flagged"] is True and event.area_path == world.village.path


def test_a_price_that_is_not_one_is_refused_saying_what(world):
    shop = store(world.village)
    rice = good()
    with pytest.raises(ValidationError) as refused:
        actions.do_record_price_check(shop, rice, price="five", acting_user=world.tracer)
    assert refused.value.messages == ["five is not a price."]
    with pytest.raises(ValidationError) as refused:
        actions.do_record_price_check(shop, rice, price="-1", acting_user=world.tracer)
    assert "more than 0" in refused.value.messages[0]


def test_reference_prices_are_set_by_the_citys_headquarters_only(world):
    rice = actions.do_set_reference_price(
        name="大米", unit="kg", price="5.2", acting_user=world.commander
    )
    assert rice.reference_price == Decimal("5.20")
    with pytest.raises(PermissionDenied):
        actions.do_set_reference_price(name="大米", unit="kg", price="9", acting_user=world.tracer)
    rice.refresh_from_db()
    assert rice.reference_price == Decimal("5.20")


def test_a_price_check_in_another_county_is_refused(world):
    shop = store(world.village)
    with pytest.raises(PermissionDenied):
        actions.do_record_price_check(shop, good(), price="5", acting_user=world.other_county_staff)


def test_a_facility_name_twice_in_one_area_is_refused(world):
    store(world.village, name="东铺头平价店")
    with pytest.raises(ValidationError) as refused:
        store(world.village, name="东铺头平价店")
    assert refused.value.messages == ["东铺头社区 already has a facility named 东铺头平价店."]


def test_care_is_followed_up_and_its_next_visit_comes_from_the_protocol(world):
    _household, person = home(world.village)
    start = timezone.now() - dt.timedelta(days=2)
    care = actions.do_add_care(
        person,
        kind=CareKind.ELDERLY_ALONE,
        needs="每日问候",
        acting_user=world.village_member,
        now=start,
    )
    assert care.next_follow_up_at == start
    with pytest.raises(ValidationError) as refused:
        actions.do_add_care(person, kind=CareKind.ELDERLY_ALONE, acting_user=world.village_member)
    assert refused.value.messages == [
        "王大妈 is on the care list already for: Elderly person living alone."
    ]
    now = timezone.now()
    actions.do_follow_up(care, note="电话问候，一切正常", acting_user=world.village_member, now=now)
    care.refresh_from_db()
    assert care.next_follow_up_at == now + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        actions.do_follow_up(care, note=" ", acting_user=world.village_member)
    assert refused.value.messages == ["Write what was found and done."]
    with pytest.raises(PermissionDenied):
        actions.do_follow_up(care, note="x", acting_user=world.other_county_staff)
    assert AuditEvent.objects.filter(action="livelihood.care.follow_up").count() == 1
