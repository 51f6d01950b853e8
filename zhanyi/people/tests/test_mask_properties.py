"""Properties of the masks (hypothesis), over generated valid identity numbers.

A mask must never let the number be rebuilt: whatever a masked role is shown
of a person (the masked number, the birth year, the sex, the area and so the
division code), many numbers must still fit. ``test_mask_rebuild`` probes one
person through every page; here the numbers are drawn at random, the birth
date from any day of the last 125 years.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from zhanyi.accounts.models import Role, User
from zhanyi.core.masking import mask_identity_number, mask_name, mask_phone
from zhanyi.engine.identity import _CHECK_CHARS, _WEIGHTS, check_char, parse_resident_id
from zhanyi.people.display import birth_date_for, identity_for

from .factories import make_person
from .test_mask_rebuild import MIN_CANDIDATES, _birth_window, _seen_masks, count_candidates

TODAY = dt.date(2026, 1, 1)


@st.composite
def resident_ids(draw) -> str:
    """A valid 18-character resident identity number."""
    division = draw(st.integers(110000, 659999)).__str__()
    birth = draw(st.dates(dt.date(1901, 1, 1), TODAY))
    seq = draw(st.integers(0, 999))
    first17 = f"{division}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def fast_count(*, division: str, dates: list[dt.date], female: bool, masks: set[str]) -> int:
    """``count_candidates`` without tails, by arithmetic: the check character is the
    weighted sum mod 11, so per day only the sums of the sequences that fit count."""

    def fits(position: int, char: str) -> bool:
        return all(m[position] in ("*", char) for m in masks)

    def weighted(digits: str, start: int) -> int:
        return sum(int(d) * _WEIGHTS[start + i] for i, d in enumerate(digits))

    by_remainder = [0] * 11
    for seq in range(0 if female else 1, 1000, 2):
        digits = f"{seq:03d}"
        if all(fits(14 + i, d) for i, d in enumerate(digits)):
            by_remainder[weighted(digits, 14) % 11] += 1
    count = 0
    for day in dates:
        prefix = f"{division}{day:%Y%m%d}"
        if not all(fits(i, c) for i, c in enumerate(prefix)):
            continue
        base = weighted(prefix, 0)
        count += sum(
            n for r, n in enumerate(by_remainder) if fits(17, _CHECK_CHARS[(base + r) % 11])
        )
    return count


def test_the_fast_count_agrees_with_the_exhaustive_one():
    number = "350602198503151248"
    number = number[:17] + check_char(number[:17])
    masks = {mask_identity_number(number)}
    dates = [dt.date(1985, 3, d) for d in range(1, 32)]
    slow = count_candidates(division="350602", dates=dates, female=True, masks=masks, tails=set())
    assert fast_count(division="350602", dates=dates, female=True, masks=masks) == slow > 0


def _masked_reader(role: str) -> User:
    return User(username=f"reader-{role}", role=role, is_active=True)


@pytest.mark.parametrize("role", [Role.LEADER, Role.FIELD])
@given(number=resident_ids())
def test_the_mask_and_the_birth_year_leave_a_thousand_numbers(role, number):
    reader = _masked_reader(role)
    parsed = parse_resident_id(number, today=TODAY)
    shown = [identity_for(reader, number), birth_date_for(reader, parsed.birth_date)]
    assert number not in shown
    assert shown[1] == str(parsed.birth_date.year)
    candidates = fast_count(
        division=parsed.division_code,
        dates=_birth_window(shown, parsed.birth_date),
        female=parsed.sex == "female",
        masks=_seen_masks(shown),
    )
    assert candidates >= MIN_CANDIDATES, (number, shown, candidates)


@settings(max_examples=15)
@given(number=resident_ids())
def test_a_person_read_through_the_api_as_a_leader_fits_a_thousand_numbers(world, api_for, number):
    """The whole API answer a leader gets about one person, the number drawn at random."""
    parsed = parse_resident_id(number, today=TODAY)
    api = api_for(world.leader)
    with transaction.atomic():
        person = make_person(world.village, "林秀英", identity_number=number)
        texts = [
            api.get(f"/api/v1/people/{person.pk}/").content.decode(),
            api.get("/api/v1/people/", {"q": "林秀英"}).content.decode(),
        ]
        transaction.set_rollback(True)
    assert not any(number in text for text in texts)
    candidates = fast_count(
        division=parsed.division_code,
        dates=_birth_window(texts, parsed.birth_date),
        female=parsed.sex == "female",
        masks=_seen_masks(texts),
    )
    assert candidates >= MIN_CANDIDATES, (number, candidates)


@given(value=st.text(max_size=40))
def test_a_mask_keeps_the_length_and_hides_the_middle(value):
    """Any text (numbers of other kinds, foreign passports, typos): the masked form
    has the same length, shows only characters of the value in their places, at
    most 7 of them, and always hides some."""
    for mask in (mask_identity_number, mask_phone, mask_name):
        masked = mask(value)
        if not value:
            assert masked == ""
            continue
        compact = value.replace(" ", "") if mask is mask_phone else value
        assert len(masked) == len(compact)
        assert all(m in ("*", c) for m, c in zip(masked, compact, strict=True))
        assert sum(1 for m in masked if m != "*") <= 7
        if len(compact) > 1:
            assert "*" in masked


@given(digits=st.text(alphabet="0123456789", min_size=11, max_size=11).map(lambda d: "1" + d[1:]))
def test_a_masked_mobile_hides_four_digits(digits):
    masked = mask_phone(digits)
    assert masked[:3] == digits[:3] and masked[-4:] == digits[-4:]
    assert masked[3:7] == "****"
