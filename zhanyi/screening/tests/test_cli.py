"""``zhanyi import pushlist`` and ``zhanyi import escalate``."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhanyi.core.models import AuditEvent
from zhanyi.screening.actions.campaign import door_to_door_source
from zhanyi.screening.models import PushRecord, PushSource

from .conftest import csv_bytes, row_for, write_file, xlsx_file


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_a_list_creating_the_source_and_says_what_it_stored(world, index, tmp_path):
    nobody = row_for(world, "王芳", category="??")
    nobody[:3] = ["", "无", "-"]
    rows = [row_for(world, "陈建国"), row_for(world, "王芳", category="??"), nobody]
    path = write_file(tmp_path, "厦门.csv", csv_bytes(rows, "gbk"))
    out, _err = run("pushlist", str(path), "--source", "厦门市协查", "--origin-city", "厦门市")
    assert "3 rows read, 2 stored, 1 refused, 1 with warnings" in out
    assert "encoding gbk" in out and "rows refused or with warnings:" in out
    assert PushSource.objects.get().origin_city == "厦门市"
    assert PushRecord.objects.count() == 2
    assert AuditEvent.objects.get(action="screening.push_list.import").actor_name.startswith("cli:")


def test_it_imports_an_xlsx_twice_storing_it_once(world, index, putian, tmp_path):
    path = xlsx_file(tmp_path, "list.xlsx", [row_for(world, "林秀英")])
    run("pushlist", str(path), "--source", putian.name, "--no-progress")
    out, _ = run("pushlist", str(path), "--source", putian.name, "--no-progress")
    assert PushRecord.objects.count() == 1
    assert "1 stored" in out


def test_an_unknown_source_without_an_origin_city_is_refused(world, tmp_path):
    path = write_file(tmp_path, "list.csv", csv_bytes([]))
    with pytest.raises(CommandError, match="no push source named"):
        run("pushlist", str(path), "--source", "火星")


def test_a_source_named_with_extra_spaces_is_found(world, index, putian, tmp_path):
    path = write_file(tmp_path, "list.csv", csv_bytes([row_for(world, "陈建国")]))
    out, _ = run("pushlist", str(path), "--source", f" {putian.name} ", "--no-progress")
    assert "1 stored" in out
    assert PushRecord.objects.get().push_list.source == putian


def test_the_door_to_door_source_is_not_a_push_source(world, index, putian, tmp_path):
    door_to_door = door_to_door_source()
    path = write_file(tmp_path, "list.csv", csv_bytes([row_for(world, "陈建国")]))
    with pytest.raises(CommandError, match="no push source named") as refused:
        run("pushlist", str(path), "--source", door_to_door.name, "--no-progress")
    assert putian.name in str(refused.value) and door_to_door.name + "," not in str(refused.value)
    assert not PushRecord.objects.exists()


def test_a_missing_file_and_an_unreadable_file_are_refused_by_name(world, putian, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("pushlist", str(tmp_path / "nope.csv"), "--source", putian.name)
    bad = write_file(tmp_path, "bad.xlsx", b"not a workbook")
    with pytest.raises(CommandError, match=r"bad\.xlsx"):
        run("pushlist", str(bad), "--source", putian.name)


def test_escalate_reports_how_many_tasks_it_escalated(world):
    out, _ = run("escalate")
    assert "0 overdue task(s) escalated" in out
