"""The checkpoints app's tests read English messages, whatever the default language.

The fixtures for English messages are zhanyi.core.testing's.
"""

from __future__ import annotations

import pytest

from zhanyi.core.testing import api_for, client, english  # noqa: F401  (English messages)


@pytest.fixture
def zones():
    """The zones app's answer to ``zhanyi.places.risk``, as it registers it:
    ``zones[path] = tier`` puts an approved zone of that tier in force over
    the area and everything under it."""
    import datetime as dt

    from zhanyi.places import risk

    in_force: dict[str, str] = {}

    def tiers(paths, at):
        found = {}
        for p in paths:
            covering = [(zp, t) for zp, t in in_force.items() if p.startswith(zp)]
            best = max(covering, key=lambda c: risk.STRENGTH[c[1]], default=None)
            if best:
                found[p] = risk.AreaRisk(
                    tier=best[1],
                    zone_id=1,
                    zone_name="测试区",
                    since=dt.datetime(2021, 9, 12, tzinfo=dt.UTC),
                )
        return found

    risk._answer()  # the installed answer found first, to be put back after
    saved, discovered = list(risk._ANSWER), risk._discovered
    risk._ANSWER[:] = [tiers]
    risk._discovered = True
    yield in_force
    risk._ANSWER[:] = saved
    risk._discovered = discovered
