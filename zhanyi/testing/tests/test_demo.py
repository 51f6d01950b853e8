"""The demo replay: the school round and the sealed zone's daily rounds."""

from __future__ import annotations

import datetime as dt

import pytest

from zhanyi.core.audit import SystemActor
from zhanyi.handoffs.models import Handoff
from zhanyi.people.models import Household, Person
from zhanyi.places.models import Place
from zhanyi.testing import queries
from zhanyi.testing.demo import SCHOOL_ROUND, replay_testing
from zhanyi.testing.models import TestingRound, Tube

ACTOR = SystemActor("demo")


@pytest.fixture
def demo_city(world):
    Place.objects.create(name="东铺头小学", kind="school", area=world.village)
    compound = Place.objects.create(
        name="万益学府花园", kind="residential_compound", area=world.village2
    )
    home = Household.objects.create(
        village=world.village2, address="万益学府花园1号", place=compound
    )
    for i in range(40):
        Person.objects.create(
            name=f"学生{i}",
            village=world.village if i % 2 else world.other_village,
            birth_date=dt.date(2010, 1, 1),
        )
    for i in range(5):
        Person.objects.create(
            name=f"居民{i}", village=world.village2, household=home, birth_date=dt.date(1980, 1, 1)
        )
    return world


def test_the_replay_tests_the_schools_and_the_sealed_zone_daily(demo_city):
    world = demo_city
    summary = replay_testing(acting_user=ACTOR, seed=1, sealed_days=3, unsampled_share=0.1)
    school = TestingRound.objects.get(name=SCHOOL_ROUND)
    assert school.targets.count() == 40 and school.pool_size == 10
    total, _ = queries.coverage(world.commander, school)
    assert total.exempt == 3
    assert 0 < total.tested < 40 - 3  # some were left unsampled
    # One positive pool: its people re-sampled one by one, all negative.
    positive = Tube.objects.get(round=school, result="positive")
    resampled = Tube.objects.filter(parent=positive, purpose="resample")
    assert resampled.count() == positive.samples_count
    assert set(resampled.values_list("result", flat=True)) == {"negative"}
    assert not Handoff.objects.filter(kind="resample", status="open").exists()
    assert Handoff.objects.filter(kind="control").count() == positive.samples_count
    # The sealed zone: one round a day, its five residents in single tubes.
    assert len(summary["sealed_rounds"]) == 3
    for rid in summary["sealed_rounds"]:
        r = TestingRound.objects.get(pk=rid)
        assert r.pool_size == 1
        assert queries.coverage(world.commander, r)[0].tested == 5


def test_replaying_again_creates_nothing_new(demo_city):
    first = replay_testing(acting_user=ACTOR, seed=1, sealed_days=2)
    tubes = Tube.objects.count()
    assert replay_testing(acting_user=ACTOR, seed=1, sealed_days=2) == first
    assert Tube.objects.count() == tubes
