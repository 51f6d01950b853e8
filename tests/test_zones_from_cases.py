"""Zones proposed from tracing's cases, through the places layer's registry
(``zhanyi.places.exposure_sites``, filled by ``tracing/case_places.py``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from zhanyi.places.models import Place, PlaceKind
from zhanyi.tracing.actions import do_add_trajectory_entry
from zhanyi.tracing.tests.factories import SYSTEM, at, case
from zhanyi.zones import actions
from zhanyi.zones.lifting import lifting_check

pytestmark = pytest.mark.django_db


def test_the_cases_homes_and_trajectories_give_the_proposed_zones(world):
    c = case(world.village, day=14)
    market = Place.objects.create(name="南昌市场", kind=PlaceKind.MARKET, area=world.village2)
    do_add_trajectory_entry(c, acting_user=SYSTEM, start=at(13, 9), place=market)
    made = actions.do_propose_from_cases(acting_user=world.commander, now=at(15))
    by_tier = {z.tier: z for z in made.zones}
    assert set(by_tier) == {"sealed", "controlled", "prevention", "medium_risk"}
    assert [a.name for a in by_tier["sealed"].areas.all()] == ["东铺头社区"]
    assert {a.name for a in by_tier["medium_risk"].areas.all()} == {"东铺头社区", "南昌社区"}
    assert [a.name for a in by_tier["controlled"].areas.all()] == ["芗城区"]
    assert [a.name for a in by_tier["prevention"].areas.all()] == ["龙海区"]
    again = actions.do_propose_from_cases(acting_user=world.commander, now=at(15))
    assert again.zones == [] and len(again.existing) == 4


def test_a_county_user_gets_the_tiers_inside_the_county_only(world):
    case(world.village, day=14)
    with translation.override("en"):
        made = actions.do_propose_from_cases(acting_user=world.tracer, now=at(15))
    assert "prevention" not in {z.tier for z in made.zones}
    assert any("龙海区" in line and "outside your jurisdiction" in line for line in made.skipped)


def test_a_new_case_in_the_zone_restarts_its_countdown(world):
    case(world.village, day=14)
    made = actions.do_propose_from_cases(
        acting_user=world.commander, now=at(15), tiers=["controlled"]
    )
    (zone,) = made.zones
    actions.do_approve_zone(zone, acting_user=world.commander, starts_at=at(15), now=at(15))
    # 14 days from the zone's start on 15 September.
    assert lifting_check(zone, at(20), with_round=False).days_left == 9
    case(world.village2, day=18)
    check = lifting_check(zone, at(20), with_round=False)
    assert check.days_left == 13
    assert check.clock_ends_at == at(18, 20) + dt.timedelta(days=14)
