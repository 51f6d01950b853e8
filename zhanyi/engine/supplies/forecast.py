"""Days of cover and the shortfall forecast of protective supplies (物资缺口预测).

Pure: the supplies app reads the stock, the recorded daily use and the plan
(testing rounds' planned tubes and quarantine occupancy, both from the figures
registry) and calls these functions; nothing here knows Django.

A stock's days of cover (可保障天数) is what it holds divided by its daily use at
the peak (高峰期日用量): the protocol asks medical institutions for 30 days and the
CDC for 10. The forecast runs the area's stock forward day by day: each day
uses the recorded daily use of the holders whose use is not planned (hospitals,
the CDC, stores) plus the planned use (tubes to sample × use per 1,000 tubes,
people in quarantine × use per person and day); the first day the stock cannot
cover is the day it runs out, and the shortfall is what the horizon still needs
beyond the stock.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


def days_of_cover(quantity: int, daily_use: float) -> float | None:
    """``quantity`` in days of ``daily_use``; None when no daily use is known."""
    if daily_use <= 0:
        return None
    return round(quantity / daily_use, 1)


@dataclass(frozen=True)
class DayPlan:
    """What is planned for one day: tubes to sample, people in quarantine."""

    day: dt.date
    tubes: int
    quarantined: int

    def __post_init__(self) -> None:
        if self.tubes < 0 or self.quarantined < 0:
            raise ValueError("a day's plan counts tubes and people: no negative numbers")


@dataclass(frozen=True)
class ItemForecast:
    item: str
    stock: int
    #: Use planned for each day of the plan, in its order.
    daily_use: tuple[float, ...]
    #: Stock left at the end of each day (negative once it has run out).
    left: tuple[float, ...]
    #: The first day whose use the stock cannot cover; None if it lasts the horizon.
    runs_out_on: dt.date | None
    #: What the horizon needs beyond the stock (0 if none), rounded up.
    shortfall: int


def forecast(
    stock: Mapping[str, int],
    baseline: Mapping[str, float],
    plan: Sequence[DayPlan],
    per_1000_tubes: Mapping[str, float],
    per_quarantined_person_day: Mapping[str, float],
) -> list[ItemForecast]:
    """One forecast per item named in any input, in the order of ``stock`` then the others."""
    items = list(dict.fromkeys([*stock, *baseline, *per_1000_tubes, *per_quarantined_person_day]))
    out = []
    for item in items:
        on_hand = int(stock.get(item, 0))
        uses = tuple(
            float(baseline.get(item, 0.0))
            + day.tubes * float(per_1000_tubes.get(item, 0.0)) / 1000
            + day.quarantined * float(per_quarantined_person_day.get(item, 0.0))
            for day in plan
        )
        left: list[float] = []
        remaining = float(on_hand)
        runs_out_on = None
        for day, use in zip(plan, uses, strict=True):
            remaining -= use
            left.append(round(remaining, 1))
            if remaining < 0 and runs_out_on is None:
                runs_out_on = day.day
        shortfall = math.ceil(-remaining) if remaining < 0 else 0
        out.append(
            ItemForecast(
                item=item,
                stock=on_hand,
                daily_use=tuple(round(u, 1) for u in uses),
                left=tuple(left),
                runs_out_on=runs_out_on,
                shortfall=shortfall,
            )
        )
    return out
