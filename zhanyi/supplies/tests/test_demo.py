from __future__ import annotations

import pytest

from zhanyi.supplies.demo import replay_supplies
from zhanyi.supplies.models import CoverAlert, Holder, Stock, SupplyRequest
from zhanyi.supplies.queries import forecast_for

from .factories import ACTOR

pytestmark = pytest.mark.django_db


def test_the_replay_stocks_the_city_reserve_raises_an_alert_and_allocates_once(world):
    summary = replay_supplies(acting_user=ACTOR)
    assert summary["holders_made"] == 7  # 3 of the city, 2 per county
    reserve = Holder.objects.get(kind="county_store")
    assert Stock.objects.get(holder=reserve, item__code="masks").quantity == 8_855_000
    assert Stock.objects.get(holder=reserve, item__code="protective_suits").quantity == 9306 - 500
    assert CoverAlert.objects.filter(
        holder__kind="hospital", item__code="protective_suits", cleared_at__isnull=True
    ).exists()
    assert SupplyRequest.objects.get().state == "approved"
    _inputs, result = forecast_for(world.county)
    assert [f.item for f in result if f.shortfall] == ["shoe_covers"]
    again = replay_supplies(acting_user=ACTOR)
    assert again["holders_made"] == 0 and SupplyRequest.objects.count() == 1
