from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from zhanyi.coldchain import demo
from zhanyi.coldchain.models import Batch
from zhanyi.handoffs.models import Handoff

from .factories import ACTOR, person

pytestmark = pytest.mark.django_db


def test_the_replay_imports_the_articles_batches_and_traces_one_positive_once(world, monkeypatch):
    monkeypatch.setattr(demo, "BATCHES", 60)
    monkeypatch.setattr(demo, "INCOMPLETE", 5)
    for i in range(5):
        person(world.village, f"冷链{i}")
    summary = demo.replay_coldchain(acting_user=ACTOR)
    assert summary["imported"] == 60 and summary["released"] == 55
    assert Batch.objects.aggregate(t=Sum("weight_tonnes"))["t"] == Decimal("20100")
    assert summary["traced_people"] == 5
    assert Handoff.objects.filter(kind="test").count() == 5
    again = demo.replay_coldchain(acting_user=ACTOR)
    assert again["imported"] == 0 and "traced_people" not in again
