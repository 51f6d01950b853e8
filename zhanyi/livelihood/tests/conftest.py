"""The livelihood app's tests: English messages, and the sealed zones they need.

``zones`` registers a test answer to ``zhanyi.places.risk`` (the zones app's
question) for the areas a test seals, and restores the registry afterwards.
"""

from __future__ import annotations

import datetime as dt

import pytest

from zhanyi.core.testing import api_for, client, english  # noqa: F401  (English messages)
from zhanyi.places import risk


class Zones:
    """Areas under a tier for the test: ``zones.set(area, "sealed")``."""

    def __init__(self) -> None:
        self.tiers: dict[str, str] = {}
        self.places: dict[int, str] = {}

    def set_place(self, place, tier: str) -> None:
        self.places[place.pk] = tier

    def answer_places(self, ids: list[int], at: dt.datetime) -> dict[int, risk.AreaRisk]:
        return {
            i: risk.AreaRisk(
                tier=self.places[i],
                zone_id=2,
                zone_name="测试小区",
                since=at - dt.timedelta(days=1),
            )
            for i in ids
            if i in self.places
        }

    def set(self, area, tier: str | None) -> None:
        if tier is None:
            self.tiers.pop(area.path, None)
        else:
            self.tiers[area.path] = tier

    def answer(self, paths: list[str], at: dt.datetime) -> dict[str, risk.AreaRisk]:
        found = {}
        for p in paths:
            for zone_path, tier in self.tiers.items():
                if p.startswith(zone_path):
                    found[p] = risk.AreaRisk(
                        tier=tier,
                        zone_id=1,
                        zone_name="测试区",
                        since=at - dt.timedelta(days=1),
                    )
        return found


@pytest.fixture
def zones():
    saved, places, discovered = list(risk._ANSWER), list(risk._PLACE_ANSWER), risk._discovered
    z = Zones()
    risk._ANSWER[:] = [z.answer]
    risk._PLACE_ANSWER[:] = [z.answer_places]
    risk._discovered = True
    yield z
    risk._ANSWER[:] = saved
    risk._PLACE_ANSWER[:] = places
    risk._discovered = discovered
