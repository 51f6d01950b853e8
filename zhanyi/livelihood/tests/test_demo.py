from __future__ import annotations

import pytest

from zhanyi.core.audit import SystemActor
from zhanyi.livelihood.demo import replay_livelihood
from zhanyi.livelihood.models import Care, Facility, Order, OrderState
from zhanyi.people.models import Household, Person
from zhanyi.places.models import Place

pytestmark = pytest.mark.django_db

ACTOR = SystemActor("demo-test")


def _compound(world):
    place = Place.objects.create(name="万益学府花园", kind="residential", area=world.village)
    household = Household.objects.create(
        village=world.village, address="万益学府花园1栋", place=place
    )
    Person.objects.create(name="住户", village=world.village, household=household)
    return household


@pytest.mark.slow
def test_the_replay_builds_the_network_and_carries_a_sealed_homes_order_to_the_door(world, zones):
    _compound(world)
    zones.set(world.village, "sealed")
    summary = replay_livelihood(acting_user=ACTOR)
    assert summary["facilities"] == {
        "store": 0,
        "affordable_store": 44,
        "processing": 17,
        "storage": 23,
        "distribution": 31,
        "outlet": 218,
    }
    assert summary["price_flags"] == 2
    assert summary["sealed_order"]["state"] == OrderState.DELIVERED
    assert summary["sealed_order"]["steps"] == 5
    again = replay_livelihood(acting_user=ACTOR)
    assert again["facilities_made"] == 0 and Order.objects.count() == 1
    assert Facility.objects.count() == 333


@pytest.mark.slow
def test_the_replay_says_why_when_the_compound_is_not_sealed(world, zones):
    _compound(world)
    summary = replay_livelihood(acting_user=ACTOR)
    assert "is not in a sealed zone" in summary["sealed_order"]["refused"]
    assert not Order.objects.exists() and Care.objects.count() == 0
