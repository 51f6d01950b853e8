"""Validation of personal data (人员信息校验) before it enters the person index.

One set of rules for the web form, the API and bulk imports. Each problem
names the field and the reason in the user's language, so that a data officer
with a list of 5,000 rows and a five-to-one team member on a phone both know
what to fix:

- a resident identity number (居民身份证号码) must pass GB 11643: 18 characters,
  a real birth date, the right check character; the birth date and sex typed
  next to it must agree with it (they are filled in from it when left empty);
- other documents have their own shapes (passport, travel permits);
- phones must be numbers a person can answer (see ``zhanyi.engine.phones``)
  and are stored in E.164;
- birth dates lie between 1880-01-01 and today (China's today).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhanyi.engine import identity as resident_ids
from zhanyi.engine.phones import PhoneNumberError, parse_phone
from zhanyi.places.models import Area, AreaLevel

from .models import Household, IdentityType, Sex

CHINA = dt.timezone(dt.timedelta(hours=8))
EARLIEST_BIRTH = dt.date(1880, 1, 1)
NAME_MAX = 100
ADDRESS_MAX = 255

#: The scalar fields a person has, in the order forms show them.
PERSON_FIELDS = (
    "name",
    "identity_type",
    "identity_number",
    "nationality",
    "sex",
    "birth_date",
    "phone",
    "address",
)

_DOCUMENT_SHAPES = {
    IdentityType.PASSPORT: re.compile(r"^[A-Z0-9]{5,17}$"),
    IdentityType.HK_MACAO_PERMIT: re.compile(r"^[HM]\d{8}(\d{2})?$"),
    IdentityType.TAIWAN_PERMIT: re.compile(r"^\d{8}(\d{2})?$"),
    IdentityType.OTHER: re.compile(r"^[^\x00-\x1f]{1,32}$"),
}
_SEX_ALIASES = {
    "male": Sex.MALE,
    "m": Sex.MALE,
    "男": Sex.MALE,
    "1": Sex.MALE,
    "female": Sex.FEMALE,
    "f": Sex.FEMALE,
    "女": Sex.FEMALE,
    "2": Sex.FEMALE,
    "unknown": Sex.UNKNOWN,
    "": Sex.UNKNOWN,
    "未知": Sex.UNKNOWN,
    "0": Sex.UNKNOWN,
    "9": Sex.UNKNOWN,
}
_SPACES = re.compile(r"\s+")
_IDENTITY_TYPES = frozenset(IdentityType.values)


class FieldProblem(Exception):
    """One field's problem: ``field``, a translated ``message`` and a stable ``code``."""

    def __init__(self, field: str, message: str, code: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code


def china_today() -> dt.date:
    return dt.datetime.now(CHINA).date()


def clean_name(value: Any) -> str:
    name = _SPACES.sub(" ", str(value or "").replace("\u3000", " ")).strip()
    if not name:
        raise FieldProblem("name", _("The name is required."), "required")
    if len(name) > NAME_MAX:
        raise FieldProblem(
            "name",
            _("The name has %(count)d characters; at most %(max)d are allowed.")
            % {"count": len(name), "max": NAME_MAX},
            "too_long",
        )
    if not any(ch.isalpha() for ch in name):
        raise FieldProblem("name", _("The name must contain letters or characters."), "no_letters")
    return name


def clean_identity_type(value: Any) -> str:
    value = str(value or IdentityType.RESIDENT_ID)
    if value not in _IDENTITY_TYPES:
        raise FieldProblem(
            "identity_type",
            _("The identity document type %(value)s is unknown.") % {"value": value},
            "invalid",
        )
    return value


def _resident_id_problem(number: str, error: resident_ids.IdentityNumberError) -> FieldProblem:
    value = resident_ids.normalize(number)
    if error.code == "length":
        message = _("The identity number must have 18 characters; it has %(count)d.") % {
            "count": len(value)
        }
    elif error.code == "characters":
        message = _("The identity number must be 17 digits followed by a digit or X.")
    elif error.code == "birth_date":
        message = _("The identity number's birth date %(value)s is not a calendar date.") % {
            "value": value[6:14]
        }
    elif error.code == "future_birth_date":
        message = _(
            "The identity number's birth date %(value)s is in the future or before 1880."
        ) % {"value": value[6:14]}
    else:  # check_digit
        message = _(
            "The identity number's check character is %(found)s but should be %(expected)s:"
            " a digit was probably mistyped."
        ) % {"found": value[17], "expected": resident_ids.check_char(value[:17])}
    return FieldProblem("identity_number", message, error.code)


def clean_identity_number(
    identity_type: str, number: Any, today: dt.date | None = None
) -> tuple[str, resident_ids.ResidentId | None]:
    """The number in its stored form, and the parsed resident id when it is one."""
    raw = str(number or "")
    if not raw.strip():
        return "", None
    if identity_type == IdentityType.RESIDENT_ID:
        try:
            parsed = resident_ids.parse_resident_id(raw, today=today or china_today())
        except resident_ids.IdentityNumberError as exc:
            raise _resident_id_problem(raw, exc) from None
        return parsed.number, parsed
    value = resident_ids.normalize(raw)
    shape = _DOCUMENT_SHAPES[IdentityType(identity_type)]
    if identity_type == IdentityType.OTHER:
        value = raw.strip()
    if not shape.match(value):
        messages = {
            IdentityType.PASSPORT: _("A passport number has 5 to 17 letters and digits."),
            IdentityType.HK_MACAO_PERMIT: _(
                "A travel permit for Hong Kong and Macao residents is H or M followed by"
                " 8 or 10 digits."
            ),
            IdentityType.TAIWAN_PERMIT: _(
                "A travel permit for Taiwan residents has 8 or 10 digits."
            ),
            IdentityType.OTHER: _("A document number has at most 32 characters."),
        }
        raise FieldProblem("identity_number", messages[IdentityType(identity_type)], "shape")
    return value, None


def clean_sex(value: Any) -> str:
    key = str(value if value is not None else "").strip().lower()
    if key not in _SEX_ALIASES:
        raise FieldProblem(
            "sex",
            _("The sex %(value)s is not male, female or unknown.") % {"value": value},
            "invalid",
        )
    return _SEX_ALIASES[key]


def clean_birth_date(value: Any, today: dt.date | None = None) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        raise FieldProblem(
            "birth_date", _("The birth date must be a date without a time."), "invalid"
        )
    if isinstance(value, dt.date):
        date = value
    else:
        text = str(value).strip()
        try:
            if re.fullmatch(r"\d{8}", text):
                date = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            else:
                date = dt.date.fromisoformat(text)
        except ValueError:
            raise FieldProblem(
                "birth_date",
                _("The birth date %(value)s is not a date in the form YYYY-MM-DD.")
                % {"value": text},
                "invalid",
            ) from None
    today = today or china_today()
    if date > today:
        raise FieldProblem(
            "birth_date",
            _("The birth date %(value)s is in the future.") % {"value": date.isoformat()},
            "future",
        )
    if date < EARLIEST_BIRTH:
        raise FieldProblem(
            "birth_date",
            _("The birth date %(value)s is before 1880.") % {"value": date.isoformat()},
            "too_early",
        )
    return date


def phone_message(code: str, value: str) -> str:
    messages = {
        "not_a_number": _("The phone %(value)s is not a phone number."),
        "country_code": _("The phone %(value)s has an unknown country code."),
        "too_short": _("The phone %(value)s has too few digits."),
        "too_long": _("The phone %(value)s has too many digits."),
        "length": _("The phone %(value)s has a number of digits that no number of its region has."),
        "local_only": _("The phone %(value)s lacks its area code (such as 0596)."),
        "invalid": _("The phone %(value)s is not a number in use: check its first digits."),
        "service_number": _("The phone %(value)s is a service number, not a person's phone."),
    }
    return messages.get(code, messages["invalid"]) % {"value": value}


def clean_phone(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        return parse_phone(text).e164
    except PhoneNumberError as exc:
        raise FieldProblem("phone", phone_message(exc.code, text), exc.code) from None


def clean_nationality(value: Any) -> str:
    text = str(value or "").strip().upper()
    if text and not re.fullmatch(r"[A-Z]{3}", text):
        raise FieldProblem(
            "nationality",
            _("The nationality must be a three-letter country code such as CHN."),
            "invalid",
        )
    return text


def clean_address(value: Any) -> str:
    text = _SPACES.sub(" ", str(value or "")).strip()
    if len(text) > ADDRESS_MAX:
        raise FieldProblem(
            "address",
            _("The address has %(count)d characters; at most %(max)d are allowed.")
            % {"count": len(text), "max": ADDRESS_MAX},
            "too_long",
        )
    return text


def clean_person_fields(
    data: Mapping[str, Any], today: dt.date | None = None
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Check the scalar fields of one person; return what is clean and every
    problem found (all of them, not just the first, so one pass fixes a row)."""
    today = today or china_today()
    clean: dict[str, Any] = {}
    problems: list[FieldProblem] = []

    def attempt(field: str, func, *args) -> None:
        try:
            clean[field] = func(*args)
        except FieldProblem as problem:
            problems.append(problem)

    attempt("name", clean_name, data.get("name"))
    attempt("identity_type", clean_identity_type, data.get("identity_type"))
    attempt("sex", clean_sex, data.get("sex"))
    attempt("birth_date", clean_birth_date, data.get("birth_date"), today)
    attempt("phone", clean_phone, data.get("phone"))
    attempt("nationality", clean_nationality, data.get("nationality"))
    attempt("address", clean_address, data.get("address"))
    resident = None
    if "identity_type" in clean:
        try:
            clean["identity_number"], resident = clean_identity_number(
                clean["identity_type"], data.get("identity_number"), today
            )
        except FieldProblem as problem:
            problems.append(problem)
    if resident is not None:
        problems.extend(_agree_with_resident_id(resident, clean))
    return clean, problems


def _agree_with_resident_id(resident: resident_ids.ResidentId, clean: dict) -> list[FieldProblem]:
    """Fill birth date and sex from the number, or check the typed ones against it."""
    problems = []
    if "birth_date" in clean:
        if clean["birth_date"] is None:
            clean["birth_date"] = resident.birth_date
        elif clean["birth_date"] != resident.birth_date:
            problems.append(
                FieldProblem(
                    "birth_date",
                    _(
                        "The birth date %(given)s does not match the identity number,"
                        " which gives %(expected)s."
                    )
                    % {
                        "given": clean["birth_date"].isoformat(),
                        "expected": resident.birth_date.isoformat(),
                    },
                    "identity_mismatch",
                )
            )
    if "sex" in clean:
        if clean["sex"] == Sex.UNKNOWN:
            clean["sex"] = resident.sex
        elif clean["sex"] != resident.sex:
            problems.append(
                FieldProblem(
                    "sex",
                    _(
                        "The sex %(given)s does not match the identity number, which gives %(expected)s."  # noqa: E501
                    )
                    % {"given": Sex(clean["sex"]).label, "expected": Sex(resident.sex).label},
                    "identity_mismatch",
                )
            )
    if "nationality" in clean and not clean["nationality"]:
        clean["nationality"] = "CHN"
    return problems


@dataclass
class PersonInput:
    """A person's data after validation, ready to be stored."""

    name: str
    identity_type: str = IdentityType.RESIDENT_ID
    identity_number: str = ""
    nationality: str = ""
    sex: str = Sex.UNKNOWN
    birth_date: dt.date | None = None
    phone: str = ""
    address: str = ""
    village: Area | None = None
    household: Household | None = None

    @classmethod
    def clean(cls, data: Mapping[str, Any], *, today: dt.date | None = None) -> PersonInput:
        """Validate ``data`` (form, API or import values); raise a
        ``ValidationError`` keyed by field whose messages say what is wrong."""
        clean, problems = clean_person_fields(data, today)
        village = data.get("village")
        household = data.get("household")
        if village is not None and (
            not isinstance(village, Area) or village.level != AreaLevel.VILLAGE
        ):
            problems.append(
                FieldProblem(
                    "village", _("Choose a village or community, not a larger area."), "level"
                )
            )
        if household is not None:
            if village is None:
                village = household.village
            elif household.village_id != village.pk:
                problems.append(
                    FieldProblem(
                        "household",
                        _("The household lives in %(village)s, not in the village chosen.")
                        % {"village": household.village.name},
                        "other_village",
                    )
                )
        if problems:
            raise as_validation_error(problems)
        return cls(**clean, village=village, household=household)

    def field_values(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def as_validation_error(problems: list[FieldProblem]) -> ValidationError:
    errors: dict[str, list[ValidationError]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(
            ValidationError(problem.message, code=problem.code)
        )
    return ValidationError(errors)
