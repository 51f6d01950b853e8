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
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.core import columns
from zhanyi.engine.linkage import written
from zhanyi.people.validation import FieldProblem, clean_phone

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
    "name": ("name", "姓名", "名字", "人员姓名", "患者姓名", "密接姓名", "姓  名", "名称"),
    "identity_number": (
        "identity_number",
        "id_number",
        "identity number",
        "身份证号",
        "身份证号码",
        "身份证",
        "身份证件号码",
        "证件号码",
        "证件号",
        "证件",
        "公民身份号码",
        "公民身份证号",
    ),
    "phone": (
        "phone",
        "手机",
        "手机号",
        "手机号码",
        "联系电话",
        "电话",
        "电话号码",
        "联系方式",
        "联系号码",
        "联系手机",
        "本人电话",
        "手机/电话",
    ),
    "sex": ("sex", "性别", "性別"),
    "birth_date": (
        "birth_date",
        "birth date",
        "出生日期",
        "生日",
        "出生年月",
        "出生年月日",
        "出生时间",
    ),
    "address": (
        "address",
        "地址",
        "现住址",
        "居住地址",
        "现居住地址",
        "住址",
        "现居住地",
        "现居地",
        "居住地",
        "现住地址",
        "家庭住址",
        "家庭地址",
        "详细地址",
        "在漳住址",
        "在漳居住地址",
        "现住址（详细到门牌号）",
    ),
    "category": (
        "category",
        "类别",
        "人员类别",
        "人员类型",
        "推送类别",
        "人员分类",
        "类型",
        "分类",
        "风险类型",
        "密接类型",
        "协查类别",
    ),
    "origin": (
        "origin",
        "pushed from",
        "来源地",
        "推送地",
        "推送单位",
        "来自",
        "推送地市",
        "协查来源",
    ),
    "risk_level": ("risk_level", "risk level", "风险等级", "风险级别"),
    "exposure_at": (
        "exposure_at",
        "last exposure",
        "末次接触时间",
        "最后接触时间",
        "接触时间",
        "末次暴露时间",
        "暴露时间",
        "末次接触日期",
        "接触日期",
    ),
    "arrived_at": (
        "arrived_at",
        "arrived",
        "抵达时间",
        "到达时间",
        "来漳时间",
        "返回时间",
        "抵漳时间",
        "来漳日期",
        "抵达日期",
        "返漳时间",
        "入漳时间",
    ),
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

RISK_ALIASES = {"高": "high", "高风险": "high", "high": "high", "中": "medium"}
RISK_ALIASES |= {"中风险": "medium", "medium": "medium"}


def recognised(header: Sequence[Any], mapping: Mapping[str, str]) -> dict[str, int]:
    """Field → column index of what ``header`` names, refusing nothing."""
    return columns.recognise(header, FIELDS, ALIASES, mapping)


def is_header(row: Sequence[Any], mapping: Mapping[str, str]) -> bool:
    """A row that names the columns a person is found by: a name, and an
    identity number or a phone."""
    found = recognised(row, mapping)
    return "name" in found and ("identity_number" in found or "phone" in found)


#: Errors / Warnings / Row of an error file sent back corrected: not data.
def _error_file_columns() -> set[str]:
    return {columns.header_key(str(_(w))) for w in ("Errors", "Warnings", "Row")}


def unmapped_headers(header: Sequence[Any], columns_: Mapping[str, int]) -> list[str]:
    """Headers of columns no field reads (what the user may want to map)."""
    return columns.unread(header, columns_, _error_file_columns())


_TOTALS = re.compile(r"^(合\s*计|总\s*计|共\s*计|小\s*计|总\s*数|累\s*计|total|sum)", re.IGNORECASE)


def is_totals_row(row: Sequence[Any]) -> bool:
    """A row that sums the list up (合计 / 总计 / 共 N 人 …) rather than names someone."""
    texts = [cell_text(c) for c in row if cell_text(c)]
    if not texts:
        return False
    return bool(_TOTALS.match(texts[0]) or re.fullmatch(r"共\s*\d+\s*人", texts[0]))


def map_columns(header: Sequence[Any], mapping: Mapping[str, str]) -> dict[str, int]:
    """Field → column index from the header row, the source's mapping first.

    Raises ``PushListFileError`` naming a mapped header that is missing or a
    required field no column holds.
    """
    for field_name, wanted in columns.missing_mapped(header, FIELDS, mapping):
        raise PushListFileError(
            _(
                "The column %(header)s that this source's mapping names for %(field)s "
                "is not in the file."
            )
            % {"header": wanted, "field": FIELDS[field_name]}
        )
    found = recognised(header, mapping)
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
    """The fields of a row as they are matched, why the row is refused (``errors``:
    nothing in it identifies the person) and what was wrong in a field that was
    then left out of matching (``warnings``): the row is still stored and linked."""

    values: dict[str, Any]
    errors: list[str]
    warnings: list[str] = field(default_factory=list)


#: The category of a row whose category cannot be read: the person is still
#: found within the deadline; the warning asks the sender for the category.
UNREAD_CATEGORY = PushCategory.RISK_AREA_ARRIVAL

_ID_PROBLEMS = {
    "length": gettext_lazy("it has neither 18 nor 15 characters"),
    "characters": gettext_lazy("it is not 17 digits and a digit or X"),
    "birth_date": gettext_lazy("its birth date is not a calendar date"),
    "future_birth_date": gettext_lazy("its birth date is out of range"),
    "check_digit": gettext_lazy("its check character is wrong (a digit mistyped?)"),
    "scientific": gettext_lazy(
        "Excel wrote it in scientific notation and its last digits are lost"
    ),
}


def _date(value: Any, today: dt.date) -> written.Moment | None:
    return written.read_moment(value, today, past=True)


def _datetime(value: Any, today: dt.date) -> dt.datetime | None:
    moment = written.read_moment(value, today, past=False)
    if moment is None or moment.date is None:
        if moment is not None:
            raise written.Unreadable("date", moment.month_only)
        return None
    # A list states local (China) time unless it says otherwise.
    return dt.datetime.combine(moment.date, moment.time or dt.time(), tzinfo=CHINA)


def _phone(cell: Any, warnings: list[str]) -> str:
    """The cell's first mobile, else its first fixed line (a household's, shared):
    the number the person is matched by; numbers that are nobody's are warned of."""
    found: list[str] = []
    for part in written.split_phones(cell):
        try:
            found.append(clean_phone(part))
        except FieldProblem as problem:
            warnings.append(f"{FIELDS['phone']}: {problem.message}")
    mobiles = [p for p in found if p.startswith("+861")]
    return (mobiles or found or [""])[0]


# Control characters other than tabs and line ends: in a name they are a corrupted
# cell, not a formatting choice (issue 14, finding 16: a NUL vanished silently).
_CORRUPT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _too_long(text: str, limit: int) -> str:
    return _("%(length)s characters, more than %(limit)s; the first %(limit)s kept.") % {
        "length": f"{len(text):,}",
        "limit": limit,
    }


def clean_row(row: Sequence[Any], columns: Mapping[str, int], today: dt.date) -> CleanRow:
    """The fields of one row as they are matched, the row's refusal (only when
    nothing identifies the person) and the warnings of the fields left out."""

    def raw(field_name: str) -> Any:
        i = columns.get(field_name)
        return row[i] if i is not None and i < len(row) else None

    values: dict[str, Any] = {}
    errors: list[str] = []
    warnings: list[str] = []

    def warn(field_name: str, message: str) -> None:
        warnings.append(f"{FIELDS[field_name]}: {message}")

    raw_name = raw("name")
    if isinstance(raw_name, str) and (bad := _CORRUPT.search(raw_name)):
        warn(
            "name",
            _("a control character (U+%(code)04X) at position %(position)s; removed.")
            % {"code": ord(bad.group()), "position": bad.start() + 1},
        )
    name, noted = written.clean_name(raw_name)
    if noted:
        warn("name", _("%(value)s read as %(name)s.") % {"value": noted, "name": name})
    if len(name) > 100:
        warn("name", _("longer than 100 characters; cut."))
    values["name"] = name[:100]

    reading = written.read_identity(raw("identity_number"), today)
    resident = reading.parsed if reading is not None else None
    if reading is not None and reading.converted:
        warn(
            "identity_number",
            _("a 15-digit number, read as %(number)s.") % {"number": reading.number},
        )
    elif reading is not None and not reading.valid:
        warn(
            "identity_number",
            _("%(value)s: %(problem)s; kept for matching as an uncertain number.")
            % {"value": reading.number, "problem": _ID_PROBLEMS.get(reading.problem, "")},
        )
    values["identity_number"] = reading.number if reading is not None else ""
    # What the model compares: a valid number, or one a digit or two off (a
    # fuzzy value); digits Excel lost or letters are left out of matching.
    blank = reading is None or reading.problem in ("scientific", "characters")
    values["id_match"] = "" if blank else reading.number

    values["phone"] = _phone(raw("phone"), warnings)
    if not name and reading is None and not values["phone"]:
        errors.append(
            _(
                "Nothing in this row identifies the person: it needs a name, an identity "
                "number or a phone."
            )
        )
    elif not name:
        warn("name", _("missing."))

    sex_text = written.text(raw("sex"))
    try:
        sex = written.read_sex(sex_text)
    except written.Unreadable:
        warn("sex", _("%(value)s is not 男 or 女; left out.") % {"value": sex_text})
        sex = ""
    birth_text = written.text(raw("birth_date"))
    try:
        moment = _date(raw("birth_date"), today)
    except written.Unreadable:
        warn("birth_date", _("%(value)s is not a date; left out.") % {"value": birth_text})
        moment = None
    birth = moment.date if moment is not None else None
    month = moment.month_only if moment is not None else ""
    if birth is not None and birth > today:
        warn("birth_date", _("%(value)s is in the future; left out.") % {"value": birth_text})
        birth = None
    if resident is not None:
        written_month = birth.strftime("%Y-%m") if birth is not None else month
        if written_month and (
            (birth is not None and birth != resident.birth_date)
            or written_month != resident.birth_date.strftime("%Y-%m")
        ):
            warn(
                "birth_date",
                _("%(value)s does not agree with the identity number; the number's is used.")
                % {"value": birth_text},
            )
        if sex and sex != "unknown" and sex != resident.sex:
            warn(
                "sex",
                _("%(value)s does not agree with the identity number; the number's is used.")
                % {"value": sex_text},
            )
        birth, sex, month = resident.birth_date, resident.sex, ""
    # As written (when readable), for the check against the number's person.
    values["birth_written"] = (
        moment.date if moment is not None and moment.date and moment.date <= today else None
    )
    values["birth_date"] = birth
    values["birth_month"] = month
    values["sex"] = sex or "unknown"

    address = cell_text(raw("address"))
    if len(address) > 255:
        warn("address", _too_long(address, 255))
    values["address"] = address[:255]
    category_text = written.text(raw("category"))
    try:
        category = written.read_category(category_text)
    except written.Unreadable:
        category = ""
    if not category:
        warn(
            "category",
            _(
                "%(value)s is none of 密接, 次密接, 时空伴随, 中高风险地区来返人员; "
                "screened as %(category)s until the sender says."
            )
            % {"value": category_text or "—", "category": UNREAD_CATEGORY.label},
        )
    values["category"] = category or UNREAD_CATEGORY
    origin = cell_text(raw("origin"))
    if len(origin) > 100:
        warn("origin", _too_long(origin, 100))
    values["origin"] = origin[:100]
    risk_text = cell_text(raw("risk_level")).lower()
    risk = RISK_ALIASES.get(risk_text, "") if risk_text else ""
    if risk_text and not risk:
        warn("risk_level", _("%(value)s is not 高 or 中; left out.") % {"value": risk_text})
    values["risk_level"] = risk
    for field_name in ("exposure_at", "arrived_at"):
        try:
            moment_at = _datetime(raw(field_name), today)
        except written.Unreadable:
            warn(
                field_name,
                _("%(value)s is not a date and time; left out.")
                % {"value": written.text(raw(field_name))},
            )
            moment_at = None
        if moment_at is not None and moment_at.date() > today + dt.timedelta(days=1):
            warn(field_name, _("%(value)s is in the future; left out.") % {"value": moment_at})
            moment_at = None
        elif moment_at is not None and moment_at.date() < settings.EARLIEST_EVENT_DATE:
            warn(
                field_name,
                _("%(value)s is before %(earliest)s, earlier than this epidemic; left out.")
                % {"value": moment_at.date(), "earliest": settings.EARLIEST_EVENT_DATE},
            )
            moment_at = None
        values[field_name] = moment_at
    return CleanRow(values, errors, warnings)


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
