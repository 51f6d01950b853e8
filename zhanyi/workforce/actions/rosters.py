"""Rosters (排班表) sent as Excel or CSV: who is on which shift, where.

Headers are matched by their Chinese or English names (``HEADERS``); values
too (a kind written 公安 or police, a shift 白班 or day, a date 2021/9/18 or
2021年9月18日). A row that cannot be understood is refused with its problem and
goes to the error file (the rows as sent, with a column saying what to fix); a
row that can is stored, with a warning when something was read generously (a
phone that is not 11 digits, a name with spaces) or when it is on the roster
already (skipped). One transaction, one audit record.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.audit import SystemActor
from zhanyi.core.db import bulk
from zhanyi.core.jurisdiction import root_path
from zhanyi.core.tabular import TableFileError, cell_text, open_rows
from zhanyi.places.models import Area
from zhanyi.workforce.models import ForceKind, RosterEntry, RosterImport, Shift

#: Column → the headers it is recognised by (compared without spaces, case-blind).
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "人员姓名", "name"),
    "phone": ("手机", "手机号", "手机号码", "联系电话", "电话", "phone", "mobile"),
    "unit": ("单位", "工作单位", "所在单位", "派出单位", "unit", "work unit"),
    "kind": ("类别", "人员类别", "力量类别", "身份", "kind", "type"),
    "area": ("区域", "村居", "社区", "村(社区)", "村（社区）", "所在区域", "area", "area code"),
    "post": ("岗位", "点位", "服务点位", "值守点位", "post", "where"),
    "day": ("日期", "值班日期", "排班日期", "date", "day"),
    "shift": ("班次", "班别", "shift"),
}
REQUIRED = ("name", "kind", "area", "day", "shift")

KINDS: dict[str, str] = {
    "采样": ForceKind.SAMPLING,
    "采样医务人员": ForceKind.SAMPLING,
    "采样人员": ForceKind.SAMPLING,
    "隔离点": ForceKind.QUARANTINE_SITE,
    "隔离点工作人员": ForceKind.QUARANTINE_SITE,
    "隔离点医务人员": ForceKind.QUARANTINE_SITE,
    "发热门诊": ForceKind.CLINIC,
    "门诊": ForceKind.CLINIC,
    "门诊医务人员": ForceKind.CLINIC,
    "检验": ForceKind.LAB,
    "检验人员": ForceKind.LAB,
    "志愿者": ForceKind.VOLUNTEER,
    "干部": ForceKind.CADRE,
    "机关干部": ForceKind.CADRE,
    "公安": ForceKind.POLICE,
    "民警": ForceKind.POLICE,
    "警察": ForceKind.POLICE,
    "公安干警": ForceKind.POLICE,
    "辅警": ForceKind.POLICE,
}
SHIFTS: dict[str, str] = {
    "白班": Shift.DAY,
    "日班": Shift.DAY,
    "早班": Shift.DAY,
    "夜班": Shift.NIGHT,
    "晚班": Shift.NIGHT,
    "全天": Shift.ALL_DAY,
    "24小时": Shift.ALL_DAY,
    "全天候": Shift.ALL_DAY,
}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
MAX_ROWS = 50_000


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


@dataclass
class RosterResult:
    """What an import did: the record, and the problems by row."""

    record: RosterImport
    stored: int
    skipped: int
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


def _problem(line: int, column: str, message: str, value: str = "") -> dict:
    return {"line": line, "column": column, "message": message, "value": value}


def _columns(header: list[Any]) -> dict[str, int]:
    keys = [_key(cell_text(h)) for h in header]
    found: dict[str, int] = {}
    for column, aliases in HEADERS.items():
        for alias in aliases:
            if _key(alias) in keys:
                found[column] = keys.index(_key(alias))
                break
    return found


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE.match(cell_text(value))
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


class _Areas:
    """Areas named by code or by a name unique in the importer's jurisdiction."""

    def __init__(self, acting_user) -> None:
        path = "" if isinstance(acting_user, SystemActor) else root_path(acting_user)
        self.path = path
        self.cache: dict[str, Area | str] = {}

    def find(self, text: str) -> Area | str:
        """The area, or why not."""
        if text in self.cache:
            return self.cache[text]
        qs = Area.objects.filter(path__startswith=self.path or "/")
        found = list(qs.filter(code=text)[:1]) or list(qs.filter(name=text)[:2])
        if not found:
            answer: Area | str = _("No area %(area)s in your jurisdiction.") % {"area": text}
        elif len(found) > 1:
            answer = _("Two areas are named %(area)s: write its code.") % {"area": text}
        else:
            answer = found[0]
        self.cache[text] = answer
        return answer


def _row(line: int, cells: list[Any], cols: dict[str, int], areas: _Areas):
    """A roster row as field values with its warnings, or its errors."""

    def get(column: str) -> Any:
        index = cols.get(column)
        return cells[index] if index is not None and index < len(cells) else None

    errors, warnings = [], []
    raw_name = cell_text(get("name"))
    name = raw_name.replace(" ", "")
    if not name:
        errors.append(_problem(line, "name", _("The name is empty.")))
    elif name != raw_name:
        warnings.append(_problem(line, "name", _("Spaces taken out of the name."), raw_name))
    kind_text = cell_text(get("kind"))
    kind = KINDS.get(kind_text) or (
        kind_text.lower() if kind_text.lower() in ForceKind.values else None
    )
    if kind is None:
        errors.append(
            _problem(
                line,
                "kind",
                _("Unknown kind: write 采样, 隔离点, 发热门诊, 检验, 志愿者, 干部 or 公安."),
                kind_text,
            )
        )
    shift_text = cell_text(get("shift"))
    shift = SHIFTS.get(shift_text) or (
        shift_text.lower() if shift_text.lower() in Shift.values else None
    )
    if shift is None:
        errors.append(
            _problem(line, "shift", _("Unknown shift: write 白班, 夜班 or 全天."), shift_text)
        )
    day = _day(get("day"))
    if day is None:
        errors.append(_problem(line, "day", _("Not a date (2021-09-18)."), cell_text(get("day"))))
    area_text = cell_text(get("area"))
    area = areas.find(area_text) if area_text else _("The area is empty.")
    if isinstance(area, str):
        errors.append(_problem(line, "area", area, area_text))
    phone = cell_text(get("phone")).replace(" ", "").replace("-", "")
    if phone and not re.fullmatch(r"1\d{10}", phone):
        warnings.append(
            _problem(line, "phone", _("Not an 11-digit mobile number; stored as sent."), phone)
        )
    if errors or isinstance(area, str):
        return None, errors, warnings
    values = {
        "name": name[:100],
        "phone": phone[:32],
        "unit": cell_text(get("unit"))[:200],
        "kind": kind,
        "area_id": area.pk,
        "post": cell_text(get("post"))[:200],
        "day": day,
        "shift": shift,
    }
    return values, [], warnings


FIELDS = ("name", "phone", "unit", "kind", "area_id", "post", "day", "shift", "source_id")


@transaction.atomic
def do_import_roster(fh: IO[bytes], filename: str, *, acting_user, request=None) -> RosterResult:
    """Import a roster file; nothing is stored when the file cannot be read or
    lacks a required column (the refusal says which)."""
    if not isinstance(acting_user, SystemActor):
        from zhanyi.accounts.roles import require_capability

        require_capability(acting_user, "edit_operations")
    fmt = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    areas = _Areas(acting_user)
    record = RosterImport.objects.create(
        filename=filename[:255],
        area=Area.objects.filter(path=areas.path).first() if areas.path else None,
        created_by_name=actor_name(acting_user),
    )
    errors: list[dict] = []
    warnings: list[dict] = []
    rows_out: list[tuple] = []
    refused_rows: list[tuple[list[Any], str]] = []
    header: list[Any] = []
    seen: set[tuple] = set()
    try:
        if fmt not in ("csv", "xlsx", "xls"):
            raise TableFileError(_("%(name)s is not a CSV or Excel file.") % {"name": filename})
        rows, _encoding, _count = open_rows(fh, fmt)
        header = next(rows, [])
        cols = _columns(header)
        missing = [c for c in REQUIRED if c not in cols]
        if missing:
            raise TableFileError(
                _("Missing columns: %(cols)s (for example 姓名, 类别, 区域, 日期, 班次).")
                % {"cols": ", ".join(missing)}
            )
        for line, cells in enumerate(rows, start=2):
            if line - 1 > MAX_ROWS:
                errors.append(_problem(line, "file", _("More rows than one file may carry.")))
                break
            if not any(cell_text(c) for c in cells):
                continue
            record.rows += 1
            values, row_errors, row_warnings = _row(line, list(cells), cols, areas)
            warnings += row_warnings
            if values is None:
                errors += row_errors
                refused_rows.append((list(cells), "; ".join(e["message"] for e in row_errors)))
                continue
            key = (values["name"], values["phone"], values["day"], values["shift"])
            if (
                key in seen
                or RosterEntry.objects.filter(
                    name=key[0], phone=key[1], day=key[2], shift=key[3]
                ).exists()
            ):
                warnings.append(
                    _problem(
                        line, "name", _("On the roster for this shift already: skipped."), key[0]
                    )
                )
                continue
            seen.add(key)
            rows_out.append((*(values[f] for f in FIELDS[:-1]), record.pk))
    except TableFileError as error:
        errors.append(_problem(0, "file", str(error)))
    if rows_out:
        bulk.insert_many(RosterEntry, FIELDS, rows_out)
    record.stored = len(rows_out)
    record.problems = [*errors, *({**w, "warning": True} for w in warnings)]
    if refused_rows:
        record.error_file = error_workbook(header, refused_rows)
    record.save(update_fields=["rows", "stored", "problems", "error_file"])
    audit.record(
        actor=acting_user,
        action="workforce.roster.import",
        obj=record,
        area=record.area,
        detail={
            "file": filename,
            "rows": record.rows,
            "stored": record.stored,
            "errors": len(errors),
            "warnings": len(warnings),
        },
        request=request,
    )
    skipped = sum(1 for w in warnings if w["column"] == "name" and "skipped" in w["message"])
    return RosterResult(record, record.stored, skipped, errors, warnings)


def error_workbook(header: list[Any], refused: list[tuple[list[Any], str]]) -> bytes:
    """The refused rows as sent, with a last column saying what to fix (xlsx)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Refused rows"))
    sheet.append([cell_text(h) for h in header] + [_("What to fix")])
    for cells, problem in refused:
        sheet.append([cell_text(c) for c in cells] + [problem])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
