"""Tracing figures: one source, counted by area."""

from __future__ import annotations

import pytest

from zhanyi.core.metrics import compute
from zhanyi.tracing import actions

from .factories import SYSTEM, at, case, person

pytestmark = pytest.mark.django_db
NAMES = [
    "tracing.cases",
    "tracing.close_contacts",
    "tracing.secondary_contacts",
    "tracing.overdue_investigations",
]


def figures(area=None) -> dict[str, int]:
    return {f["name"]: f["value"] for f in compute(NAMES, area=area)}


def test_cases_contacts_and_overdue_investigations_are_counted_by_area(world):
    c = case(world.village)
    close, secondary = person(world.village2), person(world.other_village)
    for a, b, when in ((c.person, close, at(13)), (close, secondary, at(14))):
        actions.do_record_exposure(
            c, acting_user=SYSTEM, person_a=a, person_b=b, setting="meal", exposed_at=when
        )
    actions.do_expand_contacts([c], acting_user=SYSTEM, as_of=at(15))
    assert figures() == {
        "tracing.cases": 1,
        "tracing.close_contacts": 1,
        "tracing.secondary_contacts": 1,
        "tracing.overdue_investigations": 1,
    }
    assert figures(world.other_county) == {
        "tracing.cases": 0,
        "tracing.close_contacts": 0,
        "tracing.secondary_contacts": 1,
        "tracing.overdue_investigations": 0,
    }
    actions.do_complete_investigation(c, acting_user=SYSTEM, at=at(15, 10))
    assert figures()["tracing.overdue_investigations"] == 0


def test_the_pages_speak_chinese_by_default(world, client_for):
    case(world.village)
    body = client_for(world.tracer).get("/tracing/").content.decode()
    assert "密切接触者" in body
    assert "超时未完成流调" in body
