"""The demo's checkpoints step on the test world: stations, traffic, turn-backs by the zones."""

from __future__ import annotations

import pytest

from zhanyi.checkpoints.demo import replay_checkpoints
from zhanyi.checkpoints.models import Station

from .factories import ACTOR

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_replay_sets_up_69_checkpoints_and_turns_back_the_zones_traffic(world, zones):
    zones[world.other_county.path] = "controlled"
    first = replay_checkpoints(acting_user=ACTOR, days=1)
    assert Station.objects.exclude(kind="port").count() == 69
    assert first["stations"] == 73 and first["checks_created"] > 100
    assert first["turned_back"] > 0
    assert first["vessels_overdue"] == 1
    again = replay_checkpoints(acting_user=ACTOR, days=1)
    assert again["checks_created"] == 0 and again["checks"] == first["checks"]
