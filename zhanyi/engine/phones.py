"""Phone numbers (电话号码): validation and one stored form, with ``phonenumbers``.

Every phone is stored in E.164 (``+8613812345678``) so that the same number
typed as ``138 1234 5678``, ``+86 138-1234-5678`` or ``８６１３８…`` matches
itself, in the person index and in the engine's record linkage alike. People
read numbers in their national form (``138 1234 5678``, ``0596 234 5678``).

A number without a country code is read as Chinese. A person's phone must be
a mobile, fixed-line or personal number; service numbers (400 numbers, premium
rate, toll-free) are refused because they never identify a person.

This module is framework-free (no Django) so that bulk imports in the engine use
the same rules as the web forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

DEFAULT_REGION = "CN"

# Types that can belong to one person. FIXED_LINE_OR_MOBILE is what some regions
# (the US among them) report for every number.
PERSONAL_TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.PERSONAL_NUMBER: "personal",
    PhoneNumberType.VOIP: "voip",
}

_PARSE_CODES = {
    NumberParseException.INVALID_COUNTRY_CODE: "country_code",
    NumberParseException.NOT_A_NUMBER: "not_a_number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too_short",
    NumberParseException.TOO_SHORT_NSN: "too_short",
    NumberParseException.TOO_LONG: "too_long",
}
_POSSIBLE_CODES = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "country_code",
    phonenumbers.ValidationResult.TOO_SHORT: "too_short",
    phonenumbers.ValidationResult.TOO_LONG: "too_long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "length",
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "local_only",
}
REASONS = {
    "empty": "is empty",
    "not_a_number": "is not a phone number",
    "country_code": "has an unknown country code",
    "too_short": "has too few digits",
    "too_long": "has too many digits",
    "length": "has a number of digits that no number of its region has",
    "local_only": "lacks its area code",
    "invalid": "is not a number in use in its region",
    "service_number": "is a service number, not a person's phone",
}

# A bare Chinese mobile number, the bulk of every import. Its validity depends
# only on its first five digits (see the metadata's mobile pattern), so the
# answer is cached by prefix and 200,000 rows cost 200,000 dictionary look-ups.
_CN_MOBILE = re.compile(r"^1\d{10}$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９＋（）－　", "0123456789+()- ")


class PhoneNumberError(ValueError):
    """A phone number that cannot be a person's; ``code`` is stable, ``reason`` English."""

    def __init__(self, code: str, value: str = "") -> None:
        self.code = code
        self.reason = REASONS[code]
        self.value = value
        super().__init__(f"phone {value!r} {self.reason}")


@dataclass(frozen=True)
class Phone:
    e164: str
    region: str | None  # ISO 3166 region of the number, "CN" for China
    kind: str  # one of PERSONAL_TYPES' values


def _clean(value: str) -> str:
    return value.translate(_FULLWIDTH).strip()


# Every 7-digit prefix a list holds: 4,096 thrashed on a 163,000-row list.
@lru_cache(maxsize=1 << 18)
def _cn_mobile_prefix(prefix: str) -> str | None:
    """The kind of every 11-digit number starting with ``prefix`` (7 digits), or
    None when such numbers are not valid personal numbers."""
    number = phonenumbers.parse(prefix + "0000", DEFAULT_REGION)
    if not phonenumbers.is_valid_number(number):
        return None
    return PERSONAL_TYPES.get(phonenumbers.number_type(number))


def parse_phone(value: str, region: str = DEFAULT_REGION) -> Phone:
    """Parse and check ``value``, raising ``PhoneNumberError`` with a stable code."""
    text = _clean(value or "")
    if not text:
        raise PhoneNumberError("empty", value)
    if region == DEFAULT_REGION and _CN_MOBILE.match(text):
        kind = _cn_mobile_prefix(text[:7])
        if kind is not None:
            return Phone("+86" + text, DEFAULT_REGION, kind)
        # Fall through so that the error says why.
    # A Chinese mobile with digits missing would otherwise read as a local
    # landline number "lacking its area code", which misleads whoever fixes it.
    if (
        region == DEFAULT_REGION
        and re.fullmatch(r"1[\d\s\-]{0,12}", text)
        and len(search_digits(text)) < 11
    ):
        raise PhoneNumberError("too_short", value)
    # Seven or eight digits without a leading 0 are a landline's local number.
    if (
        region == DEFAULT_REGION
        and re.fullmatch(r"[2-9]\d{6,7}", search_digits(text))
        and (not text.startswith("+"))
    ):
        raise PhoneNumberError("local_only", value)
    # phonenumbers would read letters as keypad digits (1-800-FLOWERS); a
    # person's phone in a list with letters in it is a typing error.
    if re.search(r"[A-Za-z]", text):
        raise PhoneNumberError("not_a_number", value)
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        raise PhoneNumberError(_PARSE_CODES.get(exc.error_type, "not_a_number"), value) from None
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible in _POSSIBLE_CODES:
        raise PhoneNumberError(_POSSIBLE_CODES[possible], value)
    if not phonenumbers.is_valid_number(number):
        raise PhoneNumberError("invalid", value)
    kind = PERSONAL_TYPES.get(phonenumbers.number_type(number))
    if kind is None:
        raise PhoneNumberError("service_number", value)
    return Phone(
        phonenumbers.format_number(number, PhoneNumberFormat.E164),
        phonenumbers.region_code_for_number(number),
        kind,
    )


def normalize_phone(value: str, region: str = DEFAULT_REGION) -> str:
    """The E.164 form of ``value``; raises ``PhoneNumberError``."""
    return parse_phone(value, region).e164


def format_phone(e164: str, home_region: str = DEFAULT_REGION) -> str:
    """How a person reads a stored number: national form for numbers of the
    home region (``138 1234 5678``), international otherwise. Text that is not
    a parseable number comes back unchanged."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, home_region)
    except NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == home_region:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def search_digits(text: str) -> str:
    """The digits of a search query (``138-1234`` → ``1381234``), for suffix search."""
    return re.sub(r"\D", "", _clean(text))
