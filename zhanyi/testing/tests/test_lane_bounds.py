"""Issue 14, finding 13: a site or round id beyond 64 bits sent to the scan lane was a
500 on SQLite (it cannot bind such an integer); it is handed to the general stack,
which answers 404 as the view does for any unknown id."""

from __future__ import annotations

import pytest

from zhanyi.testing.fastpath.lane import scan_input
from zhanyi.wsgi import application

from .factories import people, round_, site
from .test_fastpath_lane import post


@pytest.mark.parametrize("field", ["site", "round", "team", "pool_size"])
def test_scan_input_leaves_integers_beyond_64_bits_to_the_general_stack(field):
    assert scan_input({"tube": "T1", "codes": ["P1"], field: 2**63}) is None
    assert scan_input({"tube": "T1", "codes": ["P1"], field: -(2**63) - 1}) is None
    assert scan_input({"tube": "T1", "codes": ["P1"], field: 2**63 - 1})[field] == 2**63 - 1


@pytest.mark.parametrize("field", ["site", "round"])
def test_a_huge_site_or_round_id_is_a_404_not_a_500(world, field):
    round_([world.village])
    site(world.village)
    p = people(world.village, 1)[0]
    body = {"tube": "T0001", "codes": [f"ZY1:{p.pk}"], field: 2**70}
    status, _headers, content = post(application, body, user=world.tracer)
    assert status == 404, content
