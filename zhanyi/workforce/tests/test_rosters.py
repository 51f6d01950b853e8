from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from zhanyi.core.models import AuditEvent
from zhanyi.workforce import actions
from zhanyi.workforce.models import RosterEntry

pytestmark = pytest.mark.django_db


def _book(rows, header=("姓名", "手机", "类别", "区域", "岗位", "日期", "班次")) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_a_chinese_workbook_is_imported_with_warnings_and_an_error_file(world):
    fh = _book(
        [
            (
                "陈 医生",
                "13905960001",
                "采样",
                world.village.code,
                "采样点",
                dt.date(2021, 9, 18),
                "白班",
            ),
            ("林护士", "0596-123", "隔离点", "东铺头社区", "隔离酒店", "2021/9/18", "夜班"),
            (
                "蔡警官",
                "13905960006",
                "公安",
                world.other_village.code,
                "东门",
                "2021-09-18",
                "全天",
            ),
            ("", "", "志愿者", world.village.code, "东门", "2021年9月18日", "白班"),
            ("吴志愿", "13905960005", "志愿者", world.village.code, "东门", "9月18日", "早晚班"),
            (
                "陈医生",
                "13905960001",
                "sampling",
                world.village.code,
                "采样点",
                "2021-09-18",
                "day",
            ),
        ]
    )
    result = actions.do_import_roster(fh, "排班.xlsx", acting_user=world.tracer)
    assert result.stored == 2
    assert sorted(RosterEntry.objects.values_list("name", "shift")) == [
        ("林护士", "night"),
        ("陈医生", "day"),
    ]
    messages = {(p["line"], p["column"]): p["message"] for p in result.errors}
    assert messages[(4, "area")] == f"No area {world.other_village.code} in your jurisdiction."
    assert messages[(5, "name")] == "The name is empty."
    assert messages[(6, "day")] == "Not a date (2021-09-18)."
    assert messages[(6, "shift")] == "Unknown shift: write 白班, 夜班 or 全天."
    warnings = {(p["line"], p["column"]): p["message"] for p in result.warnings}
    assert warnings[(2, "name")] == "Spaces taken out of the name."
    assert warnings[(3, "phone")] == "Not an 11-digit mobile number; stored as sent."
    assert warnings[(7, "name")] == "On the roster for this shift already: skipped."
    sheet = load_workbook(io.BytesIO(bytes(result.record.error_file))).active
    refused = list(sheet.iter_rows(values_only=True))
    assert refused[0][-1] == "What to fix" and len(refused) == 4
    assert refused[1][0] == "蔡警官" and "in your jurisdiction" in refused[1][-1]
    event = AuditEvent.objects.get(action="workforce.roster.import")
    assert event.detail["stored"] == 2 and event.detail["errors"] == 4


def test_english_headers_and_a_gbk_csv_are_read(world):
    row = f"王五,13900000000,police,{world.village.code},东门,2021-09-19,night"
    text = f"name,phone,kind,area,post,date,shift\n{row}\n"
    result = actions.do_import_roster(
        io.BytesIO(text.encode("gbk")), "roster.csv", acting_user=world.tracer
    )
    assert result.stored == 1 and not result.errors


def test_a_file_without_the_columns_is_refused_whole(world):
    result = actions.do_import_roster(
        _book([("x",)], header=("姓名",)), "r.xlsx", acting_user=world.tracer
    )
    assert result.stored == 0
    assert result.errors[0]["message"].startswith("Missing columns: kind, area, day, shift")
    result = actions.do_import_roster(io.BytesIO(b"x"), "r.pdf", acting_user=world.tracer)
    assert result.errors[0]["message"] == "r.pdf is not a CSV or Excel file."


def test_a_leader_may_not_import(world):
    with pytest.raises(PermissionDenied):
        actions.do_import_roster(_book([]), "r.xlsx", acting_user=world.leader)
