"""The rules a person's data must pass; each refusal names the field and the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhanyi.people.validation import PersonInput

from .factories import resident_id, with_bad_check_char

TODAY = dt.date(2021, 9, 16)


def errors_of(data) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        PersonInput.clean(data, today=TODAY)
    return caught.value.message_dict


def test_a_valid_resident_id_fills_birth_date_and_sex():
    clean = PersonInput.clean(
        {"name": "王五", "identity_number": resident_id("19700102", 357)}, today=TODAY
    )
    assert clean.birth_date == dt.date(1970, 1, 2)
    assert clean.sex == "male"
    assert clean.nationality == "CHN"


def test_a_lower_case_x_and_spaces_are_normalised():
    number = next(n for n in (resident_id("19900101", s) for s in range(1000)) if n[-1] == "X")
    clean = PersonInput.clean(
        {"name": "王五", "identity_number": f" {number[:6]} {number[6:-1]}x "}, today=TODAY
    )
    assert clean.identity_number == number


def test_it_refuses_an_identity_number_of_the_wrong_length():
    errors = errors_of({"name": "王五", "identity_number": "35060219900101123"})
    assert errors["identity_number"] == ["The identity number must have 18 characters; it has 17."]


def test_it_refuses_an_identity_number_with_letters():
    errors = errors_of({"name": "王五", "identity_number": "3506021990010112AB"})
    assert "17 digits followed by a digit or X" in errors["identity_number"][0]


def test_it_refuses_a_bad_check_digit_and_says_which_it_should_be():
    number = with_bad_check_char(resident_id("19900101", 123))
    message = errors_of({"name": "王五", "identity_number": number})["identity_number"][0]
    assert "check character" in message
    assert f"should be {resident_id('19900101', 123)[-1]}" in message


def test_it_refuses_an_impossible_birth_date_in_the_number():
    first17 = "35060219900230123"  # 30 February
    from zhanyi.engine.identity import check_char

    message = errors_of({"name": "王五", "identity_number": first17 + check_char(first17)})
    assert message["identity_number"] == [
        "The identity number's birth date 19900230 is not a calendar date."
    ]


def test_it_refuses_a_number_born_in_the_future():
    message = errors_of({"name": "王五", "identity_number": resident_id("20300101", 123)})
    assert "in the future or before 1880" in message["identity_number"][0]


def test_it_refuses_a_birth_date_that_disagrees_with_the_number():
    errors = errors_of(
        {
            "name": "王五",
            "identity_number": resident_id("19900101", 123),
            "birth_date": "1991-01-01",
        }
    )
    assert errors["birth_date"] == [
        "The birth date 1991-01-01 does not match the identity number, which gives 1990-01-01."
    ]


def test_it_refuses_a_sex_that_disagrees_with_the_number():
    errors = errors_of(
        {"name": "王五", "identity_number": resident_id("19900101", 124), "sex": "male"}
    )
    assert errors["sex"] == ["The sex Male does not match the identity number, which gives Female."]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2030-01-01", "The birth date 2030-01-01 is in the future."),
        ("1879-12-31", "The birth date 1879-12-31 is before 1880."),
        ("16/09/2021", "The birth date 16/09/2021 is not a date in the form YYYY-MM-DD."),
        ("2021-02-30", "The birth date 2021-02-30 is not a date in the form YYYY-MM-DD."),
    ],
)
def test_it_refuses_bad_birth_dates(value, expected):
    assert errors_of({"name": "王五", "birth_date": value})["birth_date"] == [expected]


@pytest.mark.parametrize(
    ("phone", "reason"),
    [
        ("138123", "has too few digits"),
        ("1381234567890123", "has too many digits"),
        ("14012345678", "is not a number in use"),
        ("call me", "is not a phone number"),
        ("400 123 4567", "is a service number"),
    ],
)
def test_it_refuses_bad_phones_naming_the_field(phone, reason):
    message = errors_of({"name": "王五", "phone": phone})["phone"][0]
    assert message.startswith(f"The phone {phone} ")
    assert reason in message


def test_phones_are_stored_in_e164():
    assert PersonInput.clean({"name": "王五", "phone": "0596-2345678"}, today=TODAY).phone == (
        "+865962345678"
    )


def test_it_reports_every_bad_field_at_once():
    errors = errors_of(
        {"name": "", "identity_number": "123", "phone": "12", "birth_date": "tomorrow"}
    )
    assert set(errors) == {"name", "identity_number", "phone", "birth_date"}


def test_other_documents_have_their_own_shapes():
    clean = PersonInput.clean(
        {
            "name": "John Smith",
            "identity_type": "passport",
            "identity_number": "e 1234 5678",
            "nationality": "gbr",
        },
        today=TODAY,
    )
    assert (clean.identity_number, clean.nationality) == ("E12345678", "GBR")
    errors = errors_of(
        {"name": "陈六", "identity_type": "hk_macao_permit", "identity_number": "X1234567"}
    )
    assert "H or M followed by 8 or 10 digits" in errors["identity_number"][0]


def test_it_refuses_a_larger_area_as_a_village(world):
    errors = errors_of({"name": "王五", "village": world.county})
    assert errors["village"] == ["Choose a village or community, not a larger area."]
