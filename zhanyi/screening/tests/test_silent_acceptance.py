"""Issue 14, finding 16: a pushed row's long address was cut to 255 characters, a 1900
exposure date and a NUL in a name were taken as they came, without a word. Each is now
a warning of the row saying what and where (the row is still stored and linked, as the
push-list reader does with every field it cannot take whole)."""

from __future__ import annotations

import datetime as dt

import pytest

from zhanyi.screening.validation import clean_row

from .conftest import resident_id

COLUMNS = {"name": 0, "identity_number": 1, "address": 2, "category": 3, "origin": 4}
COLUMNS_WITH_TIMES = {**COLUMNS, "exposure_at": 5, "arrived_at": 6}
TODAY = dt.date(2021, 9, 16)


def row(**changes) -> list:
    values = {
        "name": "陈建国",
        "id": resident_id("19750312", 111),
        "address": "漳州市芗城区胜利路1号",
        "category": "密接",
        "origin": "莆田市",
        "exposure": "2021-09-10 08:00",
        "arrived": "",
    }
    values.update(changes)
    return list(values.values())


def test_a_plain_row_has_no_errors_nor_warnings():
    clean = clean_row(row(), COLUMNS_WITH_TIMES, TODAY)
    assert (clean.errors, clean.warnings) == ([], [])


def test_a_long_address_is_said_not_silently_cut():
    clean = clean_row(row(address="长" * 100_000), COLUMNS, TODAY)
    assert clean.warnings == ["Address: 100,000 characters, more than 255; the first 255 kept."]


def test_a_long_origin_is_said_not_silently_cut():
    clean = clean_row(row(origin="莆" * 101), COLUMNS, TODAY)
    assert clean.warnings == ["Pushed from: 101 characters, more than 100; the first 100 kept."]


@pytest.mark.parametrize("exposure", ["1900-01-01 08:00", "1919-09-10"])
def test_an_exposure_before_the_epidemic_is_said_and_left_out(exposure):
    clean = clean_row(row(exposure=exposure), COLUMNS_WITH_TIMES, TODAY)
    assert len(clean.warnings) == 1, clean.warnings
    assert "before 2019-12-01" in clean.warnings[0] and exposure[:10] in clean.warnings[0]
    assert clean.values["exposure_at"] is None


def test_a_nul_in_a_name_is_said_naming_where():
    clean = clean_row(row(name="陈建\x00国"), COLUMNS, TODAY)
    assert "Name: a control character (U+0000) at position 3; removed." in clean.warnings
