"""Staff in bulk: a spreadsheet of accounts, set-password links, leaving staff."""

from __future__ import annotations

import io
from urllib.parse import urlparse

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client

from zhanyi.accounts.actions import staff
from zhanyi.accounts.models import Headquarters, Role, StaffImport, TaskForce, TaskForceKind, User
from zhanyi.core.audit import SystemActor
from zhanyi.core.models import AuditEvent

CLI = SystemActor("cli:test")

SHEET = [
    ["姓名", "手机", "角色", "管辖范围", "专班"],
    ["张 伟", "138-0000-0001", "专班工作人员", "350602", "流调溯源"],
    ["李娜", "+86 13800000002", "field", "东铺头社区", ""],
    ["王芳", "13800000003", "组长", "350602", ""],  # unknown role
    ["赵磊", "13800000004", "指挥长", "999999", ""],  # unknown area
    ["钱军", "12345", "leader", "350602", ""],  # not a mobile number
    ["孙丽", "13800000001", "leader", "350602", ""],  # the first row's phone again
]


def xlsx(rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def csv_gbk(rows) -> io.BytesIO:
    text = "\r\n".join(",".join(str(c) for c in row) for row in rows) + "\r\n"
    return io.BytesIO(text.encode("gbk"))


@pytest.fixture
def task_forces(world):
    hq = Headquarters.objects.create(name="漳州市指挥部", area=world.city)
    return {
        kind: TaskForce.objects.create(headquarters=hq, kind=kind)
        for kind in (TaskForceKind.INVESTIGATION, TaskForceKind.COMMUNITY)
    }


def test_a_sheet_creates_accounts_and_refuses_rows_with_their_line_and_why(world, task_forces):
    result = staff.do_import_staff(xlsx(SHEET), "staff.xlsx", actor=CLI)

    record = result.record
    assert (record.rows, record.created, record.updated, record.refused) == (6, 2, 0, 4)
    zhang = User.objects.get(phone="13800000001")
    assert zhang.username == "13800000001"
    assert zhang.first_name == "张伟"
    assert zhang.role == Role.STAFF
    assert zhang.jurisdiction == world.county
    assert zhang.task_force == task_forces[TaskForceKind.INVESTIGATION]
    assert not zhang.has_usable_password()
    li = User.objects.get(phone="13800000002")
    assert (li.role, li.jurisdiction) == (Role.FIELD, world.village)

    by_line = {e["line"]: e for e in result.errors}
    assert set(by_line) == {4, 5, 6, 7}
    assert by_line[4]["column"] == "role" and "Unknown role" in by_line[4]["message"]
    assert by_line[5]["column"] == "jurisdiction" and "999999" in by_line[5]["message"]
    assert by_line[6]["column"] == "phone"
    assert "line 2 already" in by_line[7]["message"]
    assert not User.objects.filter(phone__in=["13800000003", "13800000004"]).exists()
    assert any(w["line"] == 2 and w["column"] == "name" for w in result.warnings)

    # The error file: the refused rows as sent, with what to fix.
    sheet = openpyxl.load_workbook(io.BytesIO(bytes(record.error_file))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "What to fix"
    assert [r[0] for r in rows[1:]] == ["王芳", "赵磊", "钱军", "孙丽"]
    assert "Unknown role" in rows[1][-1]

    assert {link.user for link in result.links} == {zhang, li}
    assert AuditEvent.objects.filter(action="user.created").count() == 2
    event = AuditEvent.objects.get(action="staff.import")
    assert event.detail["created"] == 2 and event.detail["refused"] == 4


def test_loading_again_updates_by_phone_instead_of_duplicating(world, task_forces):
    staff.do_import_staff(xlsx(SHEET[:3]), "staff.xlsx", actor=CLI)
    moved = [SHEET[0], ["张伟", "13800000001", "commander", "芗城区", "社区管控"], SHEET[2]]
    again = staff.do_import_staff(csv_gbk(moved), "staff.csv", actor=CLI)

    assert (again.record.created, again.record.updated, again.record.unchanged) == (0, 1, 1)
    assert User.objects.filter(phone="13800000001").count() == 1
    zhang = User.objects.get(phone="13800000001")
    assert zhang.role == Role.COMMANDER
    assert zhang.task_force == task_forces[TaskForceKind.COMMUNITY]
    # Neither has set a password yet: the new load gives them fresh links.
    assert len(again.links) == 2


def test_a_title_row_and_marked_headers_are_read(world, task_forces):
    rows = [
        ["芗城区防疫工作人员名单"],
        ["*姓名", "手机号码（11位）", "角色", "管辖范围"],
        ["张伟", "13800000001", "五包一", "350602001001"],
        ["李娜", "13800000002", "网格长", "350602001001"],
    ]
    result = staff.do_import_staff(xlsx(rows), "s.xlsx", actor=CLI)
    assert result.record.created == 1
    assert User.objects.get(phone="13800000001").role == Role.FIELD
    assert [e["line"] for e in result.errors] == [4]


def test_a_missing_column_stores_nothing_and_says_which(world):
    result = staff.do_import_staff(
        xlsx([["姓名", "手机"], ["张伟", "13800000001"]]), "s.xlsx", actor=CLI
    )
    assert result.errors[0]["line"] == 0
    assert "role, jurisdiction" in result.errors[0]["message"]
    assert not User.objects.filter(phone="13800000001").exists()


def test_a_task_force_no_headquarters_has_is_refused(world):
    result = staff.do_import_staff(
        xlsx([SHEET[0], ["张伟", "13800000001", "staff", "350602", "investigation"]]),
        "s.xlsx",
        actor=CLI,
    )
    assert result.record.refused == 1
    assert "set up the headquarters first" in result.errors[0]["message"]


def test_an_administrator_gives_only_roles_and_areas_they_hold(world):
    from zhanyi.accounts.testing import make_user

    county_admin = make_user("xc-admin", Role.ADMIN, world.county, is_staff=True)
    rows = [
        SHEET[0],
        ["周明", "13800000011", "leader", "350602", ""],
        ["吴刚", "13800000012", "staff", "350602", ""],  # holds more than an administrator
        ["郑红", "13800000013", "leader", "350604", ""],  # another county
    ]
    result = staff.do_import_staff(xlsx(rows), "s.xlsx", actor=county_admin)
    assert result.record.created == 1
    messages = {e["line"]: e["message"] for e in result.errors}
    assert "You cannot give the role" in messages[3]
    assert "outside your jurisdiction" in messages[4]
    assert result.record.area == world.county


def test_the_link_sets_the_password_once(world, task_forces):
    result = staff.do_import_staff(xlsx(SHEET[:2]), "s.xlsx", actor=CLI)
    path = urlparse(result.links[0].url).path
    client = Client()
    assert client.get(path).status_code == 200
    answer = client.post(
        path,
        {"new_password1": "a-long-new-passphrase-31", "new_password2": "a-long-new-passphrase-31"},
    )
    assert answer.status_code == 302
    user = User.objects.get(phone="13800000001")
    assert user.check_password("a-long-new-passphrase-31")
    assert AuditEvent.objects.filter(action="user.password_set", object_id=str(user.pk)).exists()
    # Spent: the password is part of the token.
    assert client.get(path).status_code == 404
    assert (
        Client()
        .post(
            "/accounts/login/", {"username": "13800000001", "password": "a-long-new-passphrase-31"}
        )
        .status_code
        == 302
    )


def test_an_expired_link_is_refused(world, settings, task_forces):
    result = staff.do_import_staff(xlsx(SHEET[:2]), "s.xlsx", actor=CLI)
    path = urlparse(result.links[0].url).path
    assert Client().get(path).status_code == 200
    # Any age is past a timeout below zero: the link has expired.
    settings.PASSWORD_RESET_TIMEOUT = -1
    assert Client().get(path).status_code == 404
    assert Client().get(path.replace(path.split("/")[-2], "x-y")).status_code == 404


def test_leaving_staff_are_deactivated_by_phone(world, task_forces):
    staff.do_import_staff(xlsx(SHEET[:3]), "s.xlsx", actor=CLI)
    outcome = staff.do_deactivate_staff(
        staff.split_phones("138 0000 0001\n13800000002, 13999999999;12"), actor=CLI
    )
    assert sorted(u.phone for u in outcome.deactivated) == ["13800000001", "13800000002"]
    assert outcome.unknown == ["13999999999"]
    assert outcome.refused[0][0] == "12"
    assert not User.objects.filter(
        phone__in=["13800000001", "13800000002"], is_active=True
    ).exists()
    assert AuditEvent.objects.filter(action="user.deactivated").count() == 2
    summary = AuditEvent.objects.get(action="staff.deactivate")
    assert summary.detail["deactivated"] == ["13800000001", "13800000002"]
    again = staff.do_deactivate_staff(["13800000001"], actor=CLI)
    assert [u.phone for u in again.already] == ["13800000001"]


def test_the_page_loads_a_sheet_shows_the_links_and_disables(world, task_forces, client):
    superuser = User.objects.create_superuser("root", password="x-long-passphrase-42")
    client.force_login(superuser)
    client.cookies["django_language"] = "en"
    page = client.post("/accounts/staff/", {"file": _named(xlsx(SHEET), "staff.xlsx")})
    assert page.status_code == 200
    text = page.content.decode()
    assert "6 rows: 2 accounts created" in text
    assert "/accounts/set-password/" in text
    assert "no-store" in page["Cache-Control"]
    record = StaffImport.objects.get()
    errors = client.get(f"/accounts/staff/imports/{record.pk}/errors/")
    assert errors.status_code == 200 and errors.content[:2] == b"PK"
    done = client.post("/accounts/staff/deactivate/", {"phones": "13800000001"})
    assert "1 accounts deactivated" in done.content.decode()
    assert not User.objects.get(phone="13800000001").is_active


def test_the_api_loads_a_sheet_and_disables(world, task_forces, api_for):
    superuser = User.objects.create_superuser("root", password="x-long-passphrase-42")
    api = api_for(superuser)
    answer = api.post("/api/v1/accounts/staff/import/", {"file": _named(xlsx(SHEET), "s.xlsx")})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["created"], body["refused"]) == (2, 4)
    assert {link["username"] for link in body["links"]} == {"13800000001", "13800000002"}
    assert [e["line"] for e in body["errors"]] == [4, 5, 6, 7]
    off = api.post("/api/v1/accounts/staff/deactivate/", {"phones": ["13800000002"]}, format="json")
    assert off.json()["deactivated"] == ["13800000002"]


def test_outsiders_and_leaders_are_refused(world, api_for, client):
    for user in (world.outsider, world.leader, world.tracer):
        assert (
            api_for(user)
            .post("/api/v1/accounts/staff/deactivate/", {"phones": []}, format="json")
            .status_code
            == 403
        )
        client.force_login(user)
        assert client.get("/accounts/staff/").status_code == 403


def test_the_command_line_loads_prints_links_and_disables(world, task_forces, tmp_path):
    sheet = tmp_path / "staff.xlsx"
    sheet.write_bytes(xlsx(SHEET).getvalue())
    refused = tmp_path / "refused.xlsx"
    out, err = io.StringIO(), io.StringIO()
    call_command("user", "import", str(sheet), "--errors", str(refused), stdout=out, stderr=err)
    text = out.getvalue()
    assert "6 rows: 2 created, 0 updated, 0 unchanged, 4 refused." in text
    assert "13800000001\t张伟\thttp://127.0.0.1:8000/accounts/set-password/" in text
    assert "refused line 4: Unknown role" in err.getvalue()
    assert refused.stat().st_size > 0
    out = io.StringIO()
    call_command("user", "password-link", "13800000002", stdout=out)
    assert "/accounts/set-password/" in out.getvalue()
    out = io.StringIO()
    call_command("user", "deactivate-staff", "13800000002", stdout=out)
    assert "13800000002: deactivated" in out.getvalue()


def _named(fh: io.BytesIO, name: str) -> io.BytesIO:
    fh.name = name
    return fh
