"""Values as the senders of pushed lists write them (名单里的写法).

Lists arrive from other cities' spreadsheets: a birth date with a time part
(``1996-2-28 0:00:00``), a two-digit year, an Excel date serial (``35123``), a
year and month only (出生年月); sex as 男性, 1 or F; a category in the sender's
words (密接人员); an exposure day without its year (``9月12日``); two phones in
one cell; identity numbers of the first generation (15 digits), behind an
apostrophe, as ``无`` or in scientific notation. Each reader here returns the
value it could read, or raises ``Unreadable`` with a stable code (callers
translate it); none of them knows Django.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from zhanyi.engine import identity

#: The first day of Excel's calendar (its day 1 is 1900-01-01, counted from a
#: 1900-02-29 that never was, hence the 30th).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Serials a list may hold for a date: 1910-01-01 to 2064-12-31.
_SERIALS = (3654, 60_000)
_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ：－／．　", "0123456789XX:-/. ")

_FULL = re.compile(
    r"^(?P<y>\d{4}|\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:\s*[T ]?\s*(?P<H>\d{1,2})\s*[:时點点]\s*(?:(?P<M>\d{1,2})\s*[:分]?\s*"
    r"(?:(?P<S>\d{1,2}(?:\.\d+)?)\s*秒?)?)?)?$"
)
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:\s*(?P<H>\d{2}):?(?P<M>\d{2}))?$")
_MONTH = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*月?(?:份)?$|^(?P<y2>\d{4})(?P<m2>\d{2})$"
)
_DAY_ONLY = re.compile(
    r"^(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:\s*(?P<H>\d{1,2})\s*[:时点]\s*(?:(?P<M>\d{1,2})\s*分?)?)?$"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NONE = {"", "无", "-", "--", "—", "/", "\\", "不详", "未知", "暂无", "没有", "空", "null", "none"}
_NONE |= {"n/a", "na", "无证件", "无身份证", "未提供", "不清楚", "0", "x"}


class Unreadable(ValueError):
    """A value that cannot be read; ``code`` names why (for a translated message)."""

    def __init__(self, code: str, value: str = "") -> None:
        super().__init__(f"{code}: {value}")
        self.code = code
        self.value = value


def text(value: Any) -> str:
    """A cell as stripped text, full-width digits and separators folded."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # Control characters (a NUL, a stray \x01) become spaces, as tabs do.
    clean = _CONTROL.sub(" ", str(value).translate(_FULLWIDTH))
    return clean.strip().strip("'‘’`\"").strip()


def is_none(value: Any) -> bool:
    """An empty cell, or one that says there is nothing (无, -, 不详)."""
    return text(value).lower() in _NONE


def _year(two_or_four: str, today: dt.date, *, past: bool) -> int:
    year = int(two_or_four)
    if len(two_or_four) == 4:
        return year
    # A two-digit year: this century unless that is in the future (a birth).
    year += 2000
    if past and year > today.year:
        year -= 100
    return year


def _serial(value: float) -> dt.datetime | None:
    if not _SERIALS[0] <= value < _SERIALS[1]:
        return None
    day = _EXCEL_EPOCH + dt.timedelta(days=int(value))
    seconds = round((value - int(value)) * 86400)
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)


@dataclass(frozen=True)
class Moment:
    """What a cell told of a day: the date, the time if any, or a month only."""

    date: dt.date | None
    time: dt.time | None = None
    month_only: str = ""  # "1996-02" when only year and month were written
    kind: str = ""  # how it was written, when not plainly: serial, two_digit_year, no_year


def read_moment(value: Any, today: dt.date, *, past: bool = True) -> Moment | None:
    """A date (and time) as written; None for an empty cell; ``Unreadable`` else.

    ``past``: a birth date (a two-digit year is of the last hundred years); an
    exposure or arrival is of this century. A day without its year is of the
    list's year (``today``'s), or the year before when that day is still to come.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return Moment(value.date(), value.time() if value.time() != dt.time() else None)
    if isinstance(value, dt.date):
        return Moment(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        moment = _serial(float(value))
        if moment is None:
            raise Unreadable("date", text(value))
        time = moment.time() if moment.time() != dt.time() else None
        return Moment(moment.date(), time, "", "serial")
    raw = text(value)
    if is_none(raw):
        return None
    try:
        return _read_text(raw, today, past=past)
    except ValueError:  # a calendar date that does not exist (2月30日)
        raise Unreadable("date", raw) from None


def _read_text(raw: str, today: dt.date, *, past: bool) -> Moment:
    if re.fullmatch(r"\d{5}(?:\.\d+)?", raw):
        moment = _serial(float(raw))
        if moment is not None:
            time = moment.time() if moment.time() != dt.time() else None
            return Moment(moment.date(), time, "", "serial")
    for pattern in (_FULL, _COMPACT):
        match = pattern.match(raw)
        if match:
            g = match.groupdict()
            year = _year(g["y"], today, past=past)
            day = dt.date(year, int(g["m"]), int(g["d"]))
            time = _time(g)
            return Moment(day, time, "", "two_digit_year" if len(g["y"]) == 2 else "")
    match = _MONTH.match(raw)
    if match:
        year = int(match["y"] or match["y2"])
        month = int(match["m"] or match["m2"])
        if 1 <= month <= 12 and 1880 <= year <= today.year:
            return Moment(None, None, f"{year:04d}-{month:02d}", "month_only")
        raise Unreadable("date", raw)
    match = _DAY_ONLY.match(raw)
    if match and not past:
        g = match.groupdict()
        day = dt.date(today.year, int(g["m"]), int(g["d"]))
        if day > today + dt.timedelta(days=1):
            day = day.replace(year=today.year - 1)
        return Moment(day, _time(g), "", "no_year")
    raise Unreadable("date", raw)


def _time(groups: dict[str, str | None]) -> dt.time | None:
    if groups.get("H") is None:
        return None
    hour, minute = int(groups["H"] or 0), int(groups.get("M") or 0)
    second = int(float(groups.get("S") or 0))
    if (hour, minute, second) == (0, 0, 0):
        return None
    return dt.time(hour, minute, second)


_SEX = {
    "男": "male",
    "男性": "male",
    "男士": "male",
    "m": "male",
    "male": "male",
    "1": "male",
    "女": "female",
    "女性": "female",
    "女士": "female",
    "f": "female",
    "female": "female",
    "2": "female",
    "未知": "unknown",
    "不详": "unknown",
    "unknown": "unknown",
}


def read_sex(value: Any) -> str:
    """male, female, unknown, or "" for an empty cell; ``Unreadable`` else."""
    raw = text(value).lower().replace(" ", "")
    if not raw:
        return ""
    if raw in _SEX:
        return _SEX[raw]
    raise Unreadable("sex", raw)


#: Category words, tried as substrings in this order (次密接 before 密接).
_CATEGORY_WORDS = (
    ("次密", "secondary_contact"),
    ("密接的密接", "secondary_contact"),
    ("次级密", "secondary_contact"),
    ("secondary", "secondary_contact"),
    ("密接", "close_contact"),
    ("密切接触", "close_contact"),
    ("close", "close_contact"),
    ("时空伴随", "companion"),
    ("时空交集", "companion"),
    ("伴随", "companion"),
    ("companion", "companion"),
    ("风险", "risk_area_arrival"),
    ("来返", "risk_area_arrival"),
    ("返乡", "risk_area_arrival"),
    ("来漳", "risk_area_arrival"),
    ("抵漳", "risk_area_arrival"),
    ("入漳", "risk_area_arrival"),
    ("返漳", "risk_area_arrival"),
    ("arrival", "risk_area_arrival"),
)


def read_category(value: Any) -> str:
    """The category a sender's words name; "" for an empty cell; ``Unreadable`` else."""
    raw = text(value).lower().replace(" ", "")
    if not raw:
        return ""
    for word, category in _CATEGORY_WORDS:
        if word in raw:
            return category
    raise Unreadable("category", raw)


@dataclass(frozen=True)
class IdentityReading:
    """An identity number as written and what could be made of it.

    ``number``: the 18-character number (a 15-digit one converted), or the
    digits written when they do not make a valid number (a fuzzy value the
    linkage model still compares); ``valid``: it passed every check; ``problem``:
    why not (``check_digit``, ``length``, ``scientific`` …), or "".
    """

    number: str
    valid: bool
    problem: str = ""
    converted: bool = False
    parsed: identity.ResidentId | None = None


def _scientific(raw: str) -> str | None:
    match = re.fullmatch(r"(\d(?:\.\d+)?)[eE]\+?(\d{2})", raw)
    if not match:
        return None
    try:
        return str(int(Decimal(raw)))
    except (InvalidOperation, ValueError):
        return None


def fifteen_to_eighteen(number: str) -> str:
    """A first-generation 15-digit number in the 18-character form (born 19YY)."""
    first17 = number[:6] + "19" + number[6:15]
    return first17 + identity.check_char(first17)


def read_identity(value: Any, today: dt.date) -> IdentityReading | None:
    """None when there is no number (empty, 无, -, 不详); else what was read."""
    if isinstance(value, float) and not value.is_integer():
        value = repr(value)
    if isinstance(value, float) and value >= 1e16:
        # Excel kept 15 significant digits of it: the rest are lost (zeros).
        return IdentityReading(str(int(Decimal(f"{value:.15g}"))), False, "scientific")
    raw = re.sub(r"[\s\t]+", "", text(value)).upper()
    if is_none(raw):
        return None
    sci = _scientific(raw)
    if sci is not None:
        return IdentityReading(sci, False, "scientific")
    if re.fullmatch(r"\d{15}", raw):
        number = fifteen_to_eighteen(raw)
        try:
            parsed = identity.parse_resident_id(number, today=today)
        except identity.IdentityNumberError as error:
            return IdentityReading(raw, False, error.code)
        return IdentityReading(number, True, "", converted=True, parsed=parsed)
    try:
        parsed = identity.parse_resident_id(raw, today=today)
    except identity.IdentityNumberError as error:
        return IdentityReading(raw[:32], False, error.code)
    return IdentityReading(parsed.number, True, parsed=parsed)


_PHONE_SPLIT = re.compile(r"[,，;；/、|\\]+|\s{2,}|或|及|和")
_MOBILE = re.compile(r"1[3-9]\d{9}")


def split_phones(value: Any) -> list[str]:
    """The numbers of one cell: ``13905961001/13905961002``, ``139… 0596-2345678``,
    two mobiles written one after the other."""
    raw = text(value)
    if is_none(raw):
        return []
    out: list[str] = []
    for part in _PHONE_SPLIT.split(raw):
        part = part.strip()
        if not part:
            continue
        compact = re.sub(r"[\s\-()（）]", "", part)
        if re.fullmatch(r"\d{22}", compact) and all(
            _MOBILE.fullmatch(compact[i : i + 11]) for i in (0, 11)
        ):
            out += [compact[:11], compact[11:]]
        elif " " in part and all(_MOBILE.fullmatch(p) for p in part.split()):
            out += part.split()
        else:
            out.append(part)
    return out


_NOTES = re.compile(r"[(（\[【［〔<《][^)）\]】］〕>》]*[)）\]】］〕>》]?")
_ROLES = (
    "之子",
    "之女",
    "之妻",
    "之夫",
    "之母",
    "之父",
    "其子",
    "其女",
    "其妻",
    "其夫",
    "其母",
    "其父",
    "家属",
    "本人",
    "户主",
)


def clean_name(value: Any) -> tuple[str, str]:
    """The name without notes in brackets or role words, and what was removed."""
    raw = " ".join(text(value).split())
    name = _NOTES.sub("", raw)
    for role in _ROLES:
        if name.endswith(role) and len(name) - len(role) >= 2:
            name = name[: -len(role)]
    name = name.strip(" -—_,，;；:：")
    removed = raw if name != raw else ""
    return name, removed
