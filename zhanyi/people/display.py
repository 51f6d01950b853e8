"""How personal data is shown to a given user: masked unless the role needs it.

``view_identity`` shows full identity numbers (and phones); ``view_phone``
shows full phones only (five-to-one teams ring the people of their village).
Everyone else sees ``3506************33``, ``138****5678`` and the birth year
instead of the birth date: with the date, the area and the sex, a masked
identity number could be rebuilt (docs/security.md, "Masking"). Source records
arrive as free-form rows, so their values are masked by what they look like
as well as by their key.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from zhanyi.accounts.roles import has_capability
from zhanyi.core.masking import mask_identity_number, mask_phone
from zhanyi.engine.phones import format_phone

_ID_LIKE = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")
# A Chinese mobile, or a number written with + or a trunk 0 (dates and plain
# row numbers must not look like phones).
_PHONE_LIKE = re.compile(r"^(?:1\d{10}|[+0][\d\s()\-]{9,19})$")
_IDENTITY_KEYS = ("identity", "id_number", "id_card", "idcard", "passport", "证件", "身份证")
_PHONE_KEYS = ("phone", "mobile", "tel", "电话", "手机")
_BIRTH_KEYS = ("birth", "dob", "出生", "生日")
_YEAR = re.compile(r"(1[89]\d\d|20\d\d)")


def shows_identity(user) -> bool:
    return has_capability(user, "view_identity")


def shows_phone(user) -> bool:
    return has_capability(user, "view_phone") or has_capability(user, "view_identity")


def identity_for(user, number: str) -> str:
    if not number:
        return ""
    return number if shows_identity(user) else mask_identity_number(number)


def birth_date_for(user, birth: dt.date | str | None) -> str:
    """The birth date (``1990-03-15``) for ``view_identity``, else the year (``1990``)."""
    if not birth:
        return ""
    text = birth.isoformat() if isinstance(birth, dt.date) else str(birth)
    if shows_identity(user):
        return text
    year = _YEAR.search(text)
    return year.group(1) if year else "****"


def phone_for(user, e164: str) -> str:
    if not e164:
        return ""
    shown = format_phone(e164)
    return shown if shows_phone(user) else mask_phone(shown)


def value_for(user, field: str, value: Any) -> Any:
    """A person field's value as ``user`` may see it (for history and diffs)."""
    if field == "identity_number":
        return identity_for(user, str(value or ""))
    if field == "phone":
        return phone_for(user, str(value or ""))
    if field == "birth_date":
        return birth_date_for(user, value)
    return value


def _masked_value(user, key: str, value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _masked_value(user, str(k), v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked_value(user, key, v) for v in value]
    if not isinstance(value, str | int) or isinstance(value, bool):
        return value
    text = str(value)
    lowered = key.lower()
    if any(k in lowered for k in _IDENTITY_KEYS) or _ID_LIKE.match(text):
        return identity_for(user, text)
    if any(k in lowered for k in _BIRTH_KEYS):
        return birth_date_for(user, text)
    if any(k in lowered for k in _PHONE_KEYS) or (
        isinstance(value, str) and _PHONE_LIKE.match(text)
    ):
        return text if shows_phone(user) else mask_phone(text)
    return value


def payload_for(user, payload: Any) -> list[tuple[str, Any]]:
    """A source record's payload as (key, value) pairs, masked for ``user``."""
    if not isinstance(payload, dict):
        return [("", _masked_value(user, "", payload))]
    return [(str(k), _masked_value(user, str(k), v)) for k, v in payload.items()]


def field_label(name: str) -> str:
    from django.core.exceptions import FieldDoesNotExist
    from django.utils.text import capfirst

    from .models import Person

    try:
        return str(capfirst(Person._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:
        return name


def changes_for(user, changes) -> list[tuple[str, Any, Any]]:
    """A history entry's (field, old, new) as ``user`` may see them, fields by label."""
    return [
        (field_label(f), value_for(user, f, old), value_for(user, f, new))
        for f, old, new in changes
    ]
