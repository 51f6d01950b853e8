"""A sealed home's order (livelihood) asks the zones app's answer through
``zhanyi.places.risk``: a zone drawn over the compound, approved, lets its
households order to the door; the same home before approval, or after the
zone lifts, is refused saying so."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhanyi.livelihood import actions as livelihood
from zhanyi.people.models import Household
from zhanyi.places.models import Place
from zhanyi.zones import actions as zones

pytestmark = pytest.mark.django_db


def test_a_household_of_an_approved_sealed_compound_orders_to_the_door(world):
    now = timezone.now()
    compound = Place.objects.create(name="万益学府花园", kind="residential", area=world.village)
    household = Household.objects.create(
        village=world.village, address="万益学府花园2栋", place=compound
    )
    zone = zones.do_propose_zone(
        tier="sealed",
        name="万益学府花园封控区",
        reason="确诊病例居住小区",
        places=[compound],
        acting_user=world.commander,
        now=now - dt.timedelta(hours=2),
    )
    with pytest.raises(ValidationError) as refused:
        livelihood.do_issue_home_link(household, gate="东门", acting_user=world.tracer, now=now)
    assert "不在封控区内" in refused.value.messages[0]
    zones.do_approve_zone(
        zone, acting_user=world.commander, starts_at=now - dt.timedelta(hours=1), now=now
    )
    link = livelihood.do_issue_home_link(household, gate="东门", acting_user=world.tracer, now=now)
    shop = livelihood.do_add_facility(
        name="平价商店", kind="affordable_store", area=world.village, acting_user=world.tracer
    )
    order = livelihood.do_place_order(link, facility=shop, items="大米 5kg", now=now)
    assert order.state == "placed"
