"""Phone validation and normalisation (no database, no Django)."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from zhanyi.engine import phones
from zhanyi.engine.phones import PhoneNumberError, format_phone, normalize_phone, parse_phone


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "+86 138-1234-5678",
        "8613812345678",
        "１３８１２３４５６７８",
        "(+86) 138 1234 5678",
    ],
)
def test_every_way_of_typing_a_mobile_gives_one_stored_form(typed):
    assert normalize_phone(typed) == "+8613812345678"


def test_a_mobile_is_read_in_its_national_form():
    assert format_phone("+8613812345678") == "138 1234 5678"
    assert parse_phone("13812345678").kind == "mobile"


def test_a_landline_with_its_area_code_is_accepted():
    phone = parse_phone("0596-2345678")
    assert phone.e164 == "+865962345678"
    assert phone.kind == "fixed_line"
    assert format_phone(phone.e164) == "0596 234 5678"


def test_a_foreign_number_keeps_its_country_and_reads_internationally():
    phone = parse_phone("+44 20 7946 0958")
    assert phone.region == "GB"
    assert format_phone(phone.e164) == "+44 20 7946 0958"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "not_a_number"),
        ("138abcd5678", "not_a_number"),
        ("1234", "too_short"),
        ("12345", "too_short"),
        ("138 1234 567", "too_short"),
        ("2345678", "local_only"),
        ("8888 1234", "local_only"),
        ("1381234567890123456", "too_long"),
        ("14012345678", "invalid"),  # 140 is not a mobile prefix in use
        ("+999 1234 5678", "country_code"),
        ("400-123-4567", "service_number"),
    ],
)
def test_it_refuses_what_cannot_be_a_persons_phone_and_says_why(typed, code):
    with pytest.raises(PhoneNumberError) as caught:
        parse_phone(typed)
    assert caught.value.code == code
    assert caught.value.reason == phones.REASONS[code]


def test_the_cached_mobile_fast_path_agrees_with_phonenumbers():
    rng = random.Random(7)
    numbers = [f"1{rng.randrange(10**10):010d}" for _ in range(3000)]
    for number in numbers:
        try:
            parsed = phonenumbers.parse(number, "CN")
        except phonenumbers.NumberParseException:
            expected_valid = False
        else:
            expected_valid = (
                phonenumbers.is_valid_number(parsed)
                and phonenumbers.number_type(parsed) in phones.PERSONAL_TYPES
            )
        try:
            e164 = normalize_phone(number)
        except PhoneNumberError:
            assert not expected_valid, number
        else:
            assert expected_valid, number
            assert e164 == phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def test_search_digits_keeps_only_digits():
    assert phones.search_digits("138-1234 ５６") == "138123456"


def test_text_that_is_not_a_number_is_shown_unchanged():
    assert format_phone("unknown") == "unknown"
    assert format_phone("") == ""
