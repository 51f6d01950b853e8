"""Issue 14, finding 16: an exposure's note was cut to 255 characters and a 1900
date was taken; both are now field errors saying what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from zhanyi.tracing import actions
from zhanyi.tracing.models import Exposure

from .factories import SHANGHAI, SYSTEM, at, case, person


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _record(c, close, **changes):
    values = {"setting": "household", "exposed_at": at(13, 19), "note": ""}
    values.update(changes)
    return actions.do_record_exposure(
        c, acting_user=SYSTEM, person_a=c.person, person_b=close, **values
    )


def test_an_exposure_in_1900_is_refused(world):
    c, close = case(world.village), person(world.village)
    with pytest.raises(ValidationError) as refused:
        _record(c, close, exposed_at=dt.datetime(1900, 9, 13, 19, tzinfo=SHANGHAI))
    assert "1900-09-13 is before 2019-12-01" in refused.value.message_dict["exposed_at"][0]
    assert not Exposure.objects.exists()


def test_a_long_note_is_refused_not_cut(world):
    c, close = case(world.village), person(world.village)
    with pytest.raises(ValidationError) as refused:
        _record(c, close, note="笔" * 256)
    assert refused.value.message_dict["note"] == [
        "The note has 256 characters, more than 255; shorten it."
    ]
    assert _record(c, close, note="笔" * 255).note == "笔" * 255
