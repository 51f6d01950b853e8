from __future__ import annotations

import datetime as dt

import pytest

from zhanyi.engine.supplies import DayPlan, days_of_cover, forecast

DAY = dt.date(2021, 9, 20)


def _plan(days, tubes, quarantined):
    return [DayPlan(DAY + dt.timedelta(days=i), tubes, quarantined) for i in range(days)]


def test_days_of_cover_divides_the_stock_by_the_peak_use():
    assert days_of_cover(885, 30) == 29.5
    assert days_of_cover(100, 0) is None


def test_the_forecast_finds_the_day_the_stock_runs_out_and_the_shortfall():
    [masks, gloves] = forecast(
        {"masks": 1000, "gloves": 10_000},
        {"masks": 50},
        _plan(5, tubes=2000, quarantined=100),
        {"masks": 50, "gloves": 200},
        {"masks": 2},
    )
    # masks: 50 baseline + 2000 tubes × 50/1000 + 100 people × 2 = 350 a day
    assert masks.daily_use == (350.0,) * 5
    assert masks.left == (650.0, 300.0, -50.0, -400.0, -750.0)
    assert masks.runs_out_on == DAY + dt.timedelta(days=2)
    assert masks.shortfall == 750
    # gloves: 400 a day for 5 days, 10,000 on hand
    assert gloves.runs_out_on is None and gloves.shortfall == 0


def test_an_item_only_planned_has_no_stock_and_falls_short_at_once():
    [suits] = forecast({}, {}, _plan(2, tubes=1000, quarantined=0), {"suits": 25}, {})
    assert suits.stock == 0 and suits.runs_out_on == DAY and suits.shortfall == 50


def test_a_negative_plan_is_refused():
    with pytest.raises(ValueError):
        DayPlan(DAY, -1, 0)
