"""Column mapping and the check of each row of a push list.

A source's files name their columns their own way (姓名 / 名字 / name); the
mapping saved on the ``PushSource`` says which header holds which field, and
headers not mapped are recognised by the common names below. Each row is
checked by the rules the person index uses (identity number check digit,
phone numbers, dates); every problem of a row is reported at once, so one pass
over the error file fixes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.people.validation import FieldProblem, clean_identity_number, clean_phone

from .models import PushCategory
from .reading import PushListFileError, cell_text

CHINA = dt.timezone(dt.timedelta(hours=8))

#: The fields of a push record, in the template's order, with their label.
FIELDS: dict[str, Any] = {
    "name": gettext_lazy("Name"),
    "identity_number": gettext_lazy("Identity number"),
    "phone": gettext_lazy("Phone"),
    "sex": gettext_lazy("Sex"),
    "birth_date": gettext_lazy("Birth date"),
    "address": gettext_lazy("Address"),
    "category": gettext_lazy("Category"),
    "origin": gettext_lazy("Pushed from"),
    "risk_level": gettext_lazy("Risk level"),
    "exposure_at": gettext_lazy("Last exposure"),
    "arrived_at": gettext_lazy("Arrived"),
}
REQUIRED = ("name", "category")

#: Headers recognised without a mapping (lower case, spaces removed).
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "姓名", "名字", "人员姓名"),
    "identity_number": (
        "identity_number",
        "id_number",
        "identity number",
        "身份证号",
        "身份证号码",
        "证件号码",
        "证件号",
        "公民身份号码",
    ),
    "phone": ("phone", "手机", "手机号", "手机号码", "联系电话", "电话"),
    "sex": ("sex", "性别"),
    "birth_date": ("birth_date", "birth date", "出生日期", "生日"),
    "address": ("address", "地址", "现住址", "居住地址", "现居住地址", "住址"),
    "category": ("category", "类别", "人员类别", "人员类型", "推送类别"),
    "origin": ("origin", "pushed from", "来源地", "推送地", "推送单位", "来自"),
    "risk_level": ("risk_level", "risk level", "风险等级"),
    "exposure_at": ("exposure_at", "last exposure", "末次接触时间", "最后接触时间", "接触时间"),
    "arrived_at": ("arrived_at", "arrived", "抵达时间", "到达时间", "来漳时间", "返回时间"),
}

#: The template's header: one recognised name per field.
TEMPLATE_HEADERS = {
    "name": "姓名",
    "identity_number": "身份证号",
    "phone": "手机号",
    "sex": "性别",
    "birth_date": "出生日期",
    "address": "现住址",
    "category": "人员类别",
    "origin": "推送地",
    "risk_level": "风险等级",
    "exposure_at": "末次接触时间",
    "arrived_at": "抵达时间",
}

CATEGORY_ALIASES: dict[str, str] = {
    "close_contact": PushCategory.CLOSE_CONTACT,
    "密接": PushCategory.CLOSE_CONTACT,
    "密切接触者": PushCategory.CLOSE_CONTACT,
    "secondary_contact": PushCategory.SECONDARY_CONTACT,
    "次密接": PushCategory.SECONDARY_CONTACT,
    "密接的密接": PushCategory.SECONDARY_CONTACT,
    "次密切接触者": PushCategory.SECONDARY_CONTACT,
    "companion": PushCategory.COMPANION,
    "时空伴随": PushCategory.COMPANION,
    "时空伴随者": PushCategory.COMPANION,
    "risk_area_arrival": PushCategory.RISK_AREA_ARRIVAL,
    "中高风险地区来返人员": PushCategory.RISK_AREA_ARRIVAL,
    "中高风险地区来漳人员": PushCategory.RISK_AREA_ARRIVAL,
    "风险地区来返": PushCategory.RISK_AREA_ARRIVAL,
    "来返人员": PushCategory.RISK_AREA_ARRIVAL,
}
SEX_ALIASES = {"男": "male", "女": "female", "male": "male", "female": "female", "m": "male"}
SEX_ALIASES |= {"f": "female", "未知": "unknown", "unknown": "unknown"}
RISK_ALIASES = {"高": "high", "高风险": "high", "high": "high", "中": "medium"}
RISK_ALIASES |= {"中风险": "medium", "medium": "medium"}

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H时%M分",
)
_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")


def _key(header: str) -> str:
    return re.sub(r"\s+", "", header).lower()


def map_columns(header: Sequence[Any], mapping: Mapping[str, str]) -> dict[str, int]:
    """Field → column index from the header row, the source's mapping first.

    Raises ``PushListFileError`` naming a mapped header that is missing or a
    required field no column holds.
    """
    keys = [_key(cell_text(h)) for h in header]
    found: dict[str, int] = {}
    for field_name, wanted in mapping.items():
        if field_name not in FIELDS or not wanted:
            continue
        try:
            found[field_name] = keys.index(_key(wanted))
        except ValueError:
            raise PushListFileError(
                _(
                    "The column %(header)s that this source's mapping names for %(field)s "
                    "is not in the file."
                )
                % {"header": wanted, "field": FIELDS[field_name]}
            ) from None
    for field_name, aliases in ALIASES.items():
        if field_name in found:
            continue
        for alias in aliases:
            if _key(alias) in keys:
                found[field_name] = keys.index(_key(alias))
                break
    missing = [str(FIELDS[f]) for f in REQUIRED if f not in found]
    if "identity_number" not in found and "phone" not in found:
        missing.append(f"{FIELDS['identity_number']} / {FIELDS['phone']}")
    if missing:
        raise PushListFileError(
            _("The file has no column for: %(fields)s. Name the columns in the source's mapping.")
            % {"fields": ", ".join(missing)}
        )
    return found


@dataclass
class CleanRow:
    values: dict[str, Any]
    errors: list[str]


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value).translate(_FULLWIDTH)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(text)


def _datetime(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        text = cell_text(value).translate(_FULLWIDTH)
        moment = None
        for fmt in _DATETIME_FORMATS:
            try:
                # Local time as written; the zone is set below.
                moment = dt.datetime.strptime(text, fmt)  # noqa: DTZ007
                break
            except ValueError:
                continue
        if moment is None:
            moment = dt.datetime.combine(_date(text), dt.time())
    # A list states local (China) time unless it says otherwise.
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)


def clean_row(row: Sequence[Any], columns: Mapping[str, int], today: dt.date) -> CleanRow:
    """The fields of one row, cleaned, and every problem found in it."""

    def raw(field_name: str) -> Any:
        i = columns.get(field_name)
        return row[i] if i is not None and i < len(row) else None

    values: dict[str, Any] = {}
    errors: list[str] = []
    name = cell_text(raw("name"))
    if not name:
        errors.append(_("Name: required."))
    elif len(name) > 100:
        errors.append(_("Name: longer than 100 characters."))
    values["name"] = name[:100]

    number = cell_text(raw("identity_number")).translate(_FULLWIDTH).upper().replace(" ", "")
    resident = None
    try:
        number, resident = clean_identity_number("resident_id", number, today)
    except FieldProblem as problem:
        errors.append(problem.message)
    values["identity_number"] = number

    phone_text = cell_text(raw("phone"))
    try:
        values["phone"] = clean_phone(phone_text)
    except FieldProblem as problem:
        errors.append(problem.message)
        values["phone"] = ""
    if not number and not phone_text:
        errors.append(_("Identity number or phone: one of them is required to find the person."))

    sex_text = cell_text(raw("sex")).lower()
    sex = SEX_ALIASES.get(sex_text, "") if sex_text else ""
    if sex_text and not sex:
        errors.append(_("Sex %(value)s: expected 男 or 女.") % {"value": sex_text})
    try:
        birth = _date(raw("birth_date"))
    except ValueError as error:
        errors.append(_("Birth date %(value)s: not a date (YYYY-MM-DD).") % {"value": error})
        birth = None
    if resident is not None:
        if birth is not None and birth != resident.birth_date:
            errors.append(_("Birth date: does not agree with the identity number."))
        if sex and sex != "unknown" and sex != resident.sex:
            errors.append(_("Sex: does not agree with the identity number."))
        birth, sex = resident.birth_date, resident.sex
    if birth is not None and birth > today:
        errors.append(_("Birth date: in the future."))
    values["birth_date"] = birth
    values["sex"] = sex or "unknown"

    values["address"] = cell_text(raw("address"))[:255]
    category_text = cell_text(raw("category"))
    category = CATEGORY_ALIASES.get(category_text) or CATEGORY_ALIASES.get(category_text.lower())
    if not category:
        errors.append(
            _(
                "Category %(value)s: expected close_contact, secondary_contact, companion or "
                "risk_area_arrival (密接, 次密接, 时空伴随, 中高风险地区来返人员)."
            )
            % {"value": category_text or "—"}
        )
    values["category"] = category or ""
    values["origin"] = cell_text(raw("origin"))[:100]
    risk_text = cell_text(raw("risk_level")).lower()
    risk = RISK_ALIASES.get(risk_text, "") if risk_text else ""
    if risk_text and not risk:
        errors.append(_("Risk level %(value)s: expected 高 or 中.") % {"value": risk_text})
    values["risk_level"] = risk
    for field_name in ("exposure_at", "arrived_at"):
        try:
            values[field_name] = _datetime(raw(field_name))
        except ValueError as error:
            errors.append(
                _("%(field)s %(value)s: not a date and time (YYYY-MM-DD HH:MM).")
                % {"field": FIELDS[field_name], "value": error}
            )
            values[field_name] = None
        else:
            moment = values[field_name]
            if moment is not None and moment.date() > today + dt.timedelta(days=1):
                errors.append(_("%(field)s: in the future.") % {"field": FIELDS[field_name]})
    return CleanRow(values, errors)


def fingerprint(source_id: int, values: Mapping[str, Any]) -> str:
    """The same person pushed by the same source for the same reason is the same row."""
    parts = [
        str(source_id),
        values["name"],
        values["identity_number"],
        values["phone"],
        values["category"],
        values["birth_date"].isoformat() if values["birth_date"] else "",
        values["exposure_at"].isoformat() if values["exposure_at"] else "",
        values["arrived_at"].isoformat() if values["arrived_at"] else "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
