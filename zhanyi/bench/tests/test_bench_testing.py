"""``zhanyi bench testing --city``: a round over a city another bench or the
city's own importers loaded, every person of its villages sampled."""

import json
from io import StringIO

import pytest
from django.core.management import call_command


def test_a_round_over_a_loaded_city_samples_every_person_of_its_villages(transactional_db):
    from zhanyi.accounts.testing import build_world
    from zhanyi.people.models import Person
    from zhanyi.testing.models import Sample, TestingRound

    world = build_world()
    villages = [world.village, world.village2, world.other_village]
    Person.objects.bulk_create(
        [Person(name=f"居民{i}", village=villages[i % 3]) for i in range(45)]
        + [Person(name="无村居民")]  # no village: not in the city's round
    )
    out = StringIO()
    call_command(
        "bench", "testing", "--city", "350600", "--no-load", "--positives", "1", stdout=out
    )
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    # 15 people a village at 10-in-1: two tubes each, a tube never spans villages.
    assert figures["people"] == 45 and figures["tubes"] == 6
    (round_,) = TestingRound.objects.all()
    assert set(round_.scope_areas.values_list("code", flat=True)) == {"350600"}
    assert Sample.objects.filter(round=round_).count() == 45


def test_an_unknown_city_is_named(transactional_db):
    with pytest.raises(SystemExit, match="990099"):
        call_command("bench", "testing", "--city", "990099", "--no-load", stdout=StringIO())
