from __future__ import annotations

import pytest

from zhanyi.handoffs.models import Handoff
from zhanyi.quarantine.demo import replay_quarantine
from zhanyi.quarantine.models import Placement, PlacementState, Site, Trip, TripState

from .factories import ACTOR, person, waiting

pytestmark = pytest.mark.django_db


def test_the_replay_places_everyone_waiting_within_the_deadline_once(world):
    handoffs = [waiting(person(world.village, f"密接{i}")) for i in range(5)]
    summary = replay_quarantine(acting_user=ACTOR)
    assert summary["placed"] == 5 and summary["transfer_handoffs_open"] == 0
    assert Site.objects.filter(state="reserve").count() == 2  # one cabin site per county
    placed = Placement.objects.filter(state=PlacementState.PLACED)
    assert placed.count() == 5
    assert all(p.placed_at <= p.due_at for p in placed)
    assert all(h.status == "done" for h in Handoff.objects.filter(pk__in=[h.pk for h in handoffs]))
    assert summary["trips"] >= 1
    assert not Trip.objects.exclude(state=TripState.DONE).exists()
    again = replay_quarantine(acting_user=ACTOR)
    assert again["sites_made"] == 0 and again["placed"] == 0 and again["trips"] == 0
