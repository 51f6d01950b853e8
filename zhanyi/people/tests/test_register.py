"""The population register (人口登记): extracts loaded, linked, updated, refused."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from zhanyi.core.audit import cli_actor
from zhanyi.core.models import AuditEvent
from zhanyi.engine.identity import check_char
from zhanyi.people.actions import do_import_persons
from zhanyi.people.actions.register import RegisterFileError, do_load_register, error_file_path
from zhanyi.people.models import Household, Person, PersonChange, RegisterLoad, SourceRecord

HEADER = ["户号", "姓名", "公民身份号码", "性别", "出生日期", "联系电话", "住址", "与户主关系"]


def rid(birth: str, seq: int, division: str = "350602") -> str:
    first17 = f"{division}{birth}{seq:03d}"
    return first17 + check_char(first17)


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()


def addr(world, village="village", street="胜利路1号") -> str:
    v = getattr(world, village)
    return f"漳州市{v.parent.parent.name}{v.parent.name}{v.name}{street}"


def rows_for(world) -> list[list]:
    return [
        [
            "H001",
            "陈建国",
            rid("19750312", 111),
            "男",
            "1975-03-12",
            "13905961001",
            addr(world),
            "户主",
        ],
        ["H001", "林秀英", rid("19820704", 222), "女", "1982-07-04", "", addr(world), "配偶"],
        [
            "H002",
            "吴丽华",
            rid("19680920", 444),
            "女",
            "",
            "13905961004",
            addr(world, "village2", "南昌路4号"),
            "户主",
        ],
    ]


def csv_file(tmp_path: Path, name: str, rows: list[list], encoding="utf-8", header=HEADER) -> Path:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerows(rows)
    path = tmp_path / name
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def test_a_first_extract_creates_persons_and_households(world, tmp_path):
    path = csv_file(tmp_path, "hukou-09.csv", rows_for(world), encoding="gbk")
    load = do_load_register(path, filename=path.name, kind="hukou", acting_user=cli_actor())
    assert load.encoding == "gbk"
    assert (load.rows_read, load.new, load.linked, load.review, load.rows_invalid) == (
        3,
        3,
        0,
        0,
        0,
    )
    assert load.households_new == 2
    chen = Person.objects.get(identity_number=rid("19750312", 111))
    lin = Person.objects.get(name="林秀英")
    assert chen.household_id == lin.household_id is not None
    assert chen.village == world.village and chen.phone == "+8613905961001"
    assert chen.sex == "male" and str(chen.birth_date) == "1975-03-12"
    assert Household.objects.count() == 2
    assert SourceRecord.objects.filter(source="register").count() == 3
    # The source record is the row as received; an empty cell is left out.
    assert lin.source_records.get().payload == {
        "name": "林秀英",
        "identity_number": rid("19820704", 222),
        "sex": "女",
        "birth_date": "1982-07-04",
        "address": addr(world),
        "household_number": "H001",
        "relation": "配偶",
        "register": "hukou",
        "row": 3,
    }
    assert AuditEvent.objects.filter(action="people.register.load").count() == 1


def test_the_next_month_updates_without_duplicating_and_says_what_changed(world, tmp_path):
    first = csv_file(tmp_path, "hukou-09.csv", rows_for(world))
    do_load_register(first, filename=first.name, kind="hukou", acting_user=cli_actor())
    rows = rows_for(world)
    rows[1][5] = "13905961002"  # a phone given
    rows[2][6] = addr(world, "village", "胜利路9号")  # moved to another village
    rows[2][0] = "H003"
    rows.append(
        ["H004", "王芳", rid("19951111", 666), "女", "", "", addr(world, "village2"), "户主"]
    )
    second = csv_file(tmp_path, "hukou-10.csv", rows)
    load = do_load_register(second, filename=second.name, kind="hukou", acting_user=cli_actor())
    assert (load.new, load.changed, load.moved, load.unchanged, load.linked) == (1, 1, 1, 1, 3)
    assert Person.objects.count() == 4
    wu = Person.objects.get(name="吴丽华")
    assert wu.village == world.village
    change = PersonChange.objects.get(person=wu)
    assert "village" in change.changes and "address" in change.changes
    # A source record of the month's row for the moved and the changed, none
    # for the unchanged.
    payloads = [r.payload for r in SourceRecord.objects.filter(source_ref=f"register:{load.pk}")]
    assert sorted(p["name"] for p in payloads) == ["吴丽华", "林秀英", "王芳"]
    assert {p["name"]: p["row"] for p in payloads}["吴丽华"] == 4
    kinds = sorted(c["kind"] for c in load.changes)
    assert kinds == ["changed", "moved", "new"]
    # The same file again: recognised, nothing loaded twice.
    again = do_load_register(second, filename="again.csv", kind="hukou", acting_user=cli_actor())
    assert again.pk == load.pk
    assert Person.objects.count() == 4


def test_a_malformed_identity_number_goes_to_the_error_file_and_the_rest_is_stored(world, tmp_path):
    rows = rows_for(world)
    rows[1][2] = rows[1][2][:-1] + ("0" if rows[1][2][-1] != "0" else "1")  # wrong check character
    rows.append(["H009", "无证人", "", "男", "", "", addr(world), "户主"])
    rows.append(["H001", "陈建国", rows[0][2], "男", "", "", addr(world), "户主"])  # again
    path = csv_file(tmp_path, "bad.csv", rows)
    load = do_load_register(path, filename=path.name, kind="resident", acting_user=cli_actor())
    assert (load.rows_read, load.rows_invalid, load.new) == (5, 3, 2)
    book = openpyxl.load_workbook(error_file_path(load))
    lines = list(book.active.iter_rows(values_only=True))
    assert lines[0][-3:] == ("Errors", "Warnings", "Row")
    reasons = {row[-1]: row[-3] for row in lines[1:]}
    assert "not valid" in reasons[3]
    assert "missing" in reasons[5]
    assert "row 2 already" in reasons[6]


def test_an_exact_identity_number_links_to_the_index(world, tmp_path):
    do_import_persons(
        acting_user=cli_actor(),
        households=[],
        persons=[
            {
                "person_id": 1,
                "identity_number": rid("19750312", 111),
                "name": "陈建国",
                "phone": "13905961001",
                "village_code": world.village.code,
                "address": addr(world),
            },
            {
                "person_id": 2,
                "identity_number": rid("19870506", 777),
                "name": "李明",
                "village_code": world.village2.code,
                "address": addr(world, "village2"),
            },
        ],
    )
    path = csv_file(tmp_path, "x.csv", rows_for(world)[:1])
    load = do_load_register(path, filename=path.name, kind="hukou", acting_user=cli_actor())
    assert (load.linked, load.new) == (1, 0)
    chen = Person.objects.get(external_id=1)
    assert chen.household is not None  # the household formed, the person kept
    assert Person.objects.count() == 2


def test_xlsx_with_a_title_row_and_a_saved_mapping(world, tmp_path):
    from zhanyi.people.models import RegisterMapping

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["芗城区流动人口登记表"])
    sheet.append(["户编号", "名字", "身份证件", "性别", "出生日期", "手机", "暂住地址", "关系"])
    for row in rows_for(world):
        sheet.append(row)
    path = tmp_path / "floating.xlsx"
    book.save(path)
    with pytest.raises(RegisterFileError, match="Identity number"):
        do_load_register(path, filename=path.name, kind="floating", acting_user=cli_actor())
    saved = RegisterMapping.objects.create(
        name="芗城分局", column_mapping={"identity_number": "身份证件", "phone": "手机"}
    )
    load = do_load_register(
        path, filename=path.name, kind="floating", acting_user=cli_actor(), saved_mapping=saved
    )
    assert load.new == 3 and load.rows_invalid == 0
    assert any("row 2" in n for n in load.notes)
    assert Person.objects.get(name="陈建国").phone == "+8613905961001"


def test_an_outsider_and_a_field_worker_may_not_load(world, tmp_path):
    path = csv_file(tmp_path, "x.csv", rows_for(world))
    for user in (world.outsider, world.village_member, world.leader):
        with pytest.raises(PermissionDenied):
            do_load_register(path, filename=path.name, kind="hukou", acting_user=user)
    assert not RegisterLoad.objects.exists()


def test_rows_outside_the_loaders_county_are_refused(world, tmp_path):
    rows = rows_for(world)
    rows.append(
        ["H8", "王芳", rid("19951111", 666), "女", "", "", addr(world, "other_village"), ""]
    )
    path = csv_file(tmp_path, "x.csv", rows)
    load = do_load_register(path, filename=path.name, kind="hukou", acting_user=world.tracer)
    assert (load.new, load.rows_invalid) == (3, 1)
    assert not Person.objects.filter(name="王芳").exists()


def test_the_command_line_maps_loads_and_lists(world, tmp_path):
    from django.core.management import CommandError, call_command

    rows = rows_for(world)
    path = csv_file(
        tmp_path,
        "cli.csv",
        rows,
        header=["户号", "名字", "证件", "性别", "出生日期", "电话", "住址", "关系"],
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="Identity number"):
        call_command("register", "columns", str(path), stdout=out, verbosity=0)
    assert "名字\t→ name" in out.getvalue()
    call_command("register", "mapping", "芗城分局", "identity_number=证件", stdout=out)
    call_command(
        "register",
        "load",
        str(path),
        "--kind",
        "hukou",
        "--mapping",
        "芗城分局",
        stdout=out,
        verbosity=0,
    )
    assert "3 new" in out.getvalue()
    call_command("register", "loads", stdout=out)
    assert "cli.csv" in out.getvalue()


def test_the_page_loads_an_extract_and_shows_what_changed(world, tmp_path, client_for):
    path = csv_file(tmp_path, "page.csv", rows_for(world))
    client = client_for(world.commander)
    assert client.get("/people/register/").status_code == 200
    with path.open("rb") as fh:
        answer = client.post("/people/register/", {"kind": "hukou", "file": fh})
    assert answer.status_code == 302
    load = RegisterLoad.objects.get()
    assert load.status == "done" and load.new == 3
    page = client.get(answer["Location"])
    assert page.status_code == 200
    assert "page.csv" in page.content.decode()
    assert AuditEvent.objects.filter(action="people.register.view").exists()


def test_a_running_load_shows_its_stage_by_name(world, tmp_path, client_for):
    path = csv_file(tmp_path, "stages.csv", rows_for(world))
    seen: list[str] = []
    load = do_load_register(
        path,
        filename=path.name,
        kind="hukou",
        acting_user=world.commander,
        progress=lambda done, total, stage: seen.append(stage),
    )
    assert seen == ["reading", "checking", "storing", "linking", "households", "changes", "new"]
    RegisterLoad.objects.filter(pk=load.pk).update(status="running", stage="linking")
    client = client_for(world.commander)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"/people/register/{load.pk}/").content.decode()
    assert "关联人员库" in page and "linking" not in page


def test_the_page_refuses_a_field_worker_and_another_countys_staff(world, tmp_path, client_for):
    path = csv_file(tmp_path, "x.csv", rows_for(world))
    load = do_load_register(path, filename=path.name, kind="hukou", acting_user=world.tracer)
    assert client_for(world.village_member).get("/people/register/").status_code == 403
    other = client_for(world.other_county_staff)
    assert other.get(f"/people/register/{load.pk}/").status_code == 404


def test_the_api_posts_an_extract_and_reads_the_load(world, tmp_path, api_for):
    path = csv_file(tmp_path, "api.csv", rows_for(world))
    api = api_for(world.commander)
    with path.open("rb") as fh:
        answer = api.post(
            "/api/v1/people/register/loads/new/",
            {"kind": "resident", "file": fh},
            format="multipart",
        )
    assert answer.status_code == 202, answer.content
    load_id = answer.json()["id"]
    got = api.get(f"/api/v1/people/register/loads/{load_id}/").json()
    assert (got["status"], got["new"], got["kind"]) == ("done", 3, "resident")
    with path.open("rb") as fh:
        cols = api.post("/api/v1/people/register/columns/", {"file": fh}, format="multipart")
    assert {c["field"] for c in cols.json()["columns"]} >= {"name", "identity_number"}
    assert api_for(world.leader).get("/api/v1/people/register/loads/").status_code == 403
    outsider = api_for(world.other_county_staff)
    assert outsider.get(f"/api/v1/people/register/loads/{load_id}/").status_code == 404


def test_a_household_the_city_loaded_before_is_kept_not_duplicated(world, tmp_path):
    do_import_persons(
        acting_user=cli_actor(),
        households=[
            {"household_id": 77, "village_code": world.village.code, "address": addr(world)}
        ],
        persons=[
            {
                "person_id": 1,
                "identity_number": rid("19750312", 111),
                "name": "陈建国",
                "sex": "male",
                "birth_date": "1975-03-12",
                "phone": "13905961001",
                "household_id": 77,
                "address": addr(world),
            },
            {
                "person_id": 2,
                "identity_number": rid("19870506", 777),
                "name": "李明",
                "village_code": world.village2.code,
                "address": addr(world, "village2"),
            },
        ],
    )
    path = csv_file(tmp_path, "x.csv", rows_for(world)[:2])
    load = do_load_register(path, filename=path.name, kind="hukou", acting_user=cli_actor())
    assert (load.linked, load.unchanged, load.new, load.households_new) == (1, 1, 1, 0)
    household = Household.objects.get(external_id=77)
    assert set(household.members.values_list("name", flat=True)) == {"陈建国", "林秀英"}


def test_a_row_to_review_is_decided_on_the_page_and_the_command_line(world, tmp_path, client_for):
    from django.core.management import call_command

    from zhanyi.people.models import RegisterReview

    do_import_persons(
        acting_user=cli_actor(),
        households=[],
        persons=[
            {
                "person_id": 1,
                "identity_number": rid("19750312", 111),
                "name": "陈建国",
                "village_code": world.village.code,
                "address": addr(world),
            },
            {
                "person_id": 2,
                "identity_number": rid("19870506", 777),
                "name": "李明",
                "village_code": world.village2.code,
                "address": addr(world, "village2"),
            },
        ],
    )
    load = RegisterLoad.objects.create(kind="hukou", filename="r.csv", status="done")
    chen = Person.objects.get(external_id=1)
    values = {"name": "陈建国", "identity_number": rid("19750312", 112), "phone": "+8613905969999"}
    first = RegisterReview.objects.create(
        load=load, row_number=2, values=values, candidates=[chen.pk], village=world.village
    )
    second = RegisterReview.objects.create(
        load=load,
        row_number=3,
        values={"name": "新人", "identity_number": rid("19900101", 333)},
        candidates=[chen.pk],
        village=world.village,
    )
    page = client_for(world.commander)
    assert (
        page.post(
            f"/people/register/{load.pk}/", {"review": first.pk, "person": chen.pk}
        ).status_code
        == 302
    )
    chen.refresh_from_db()
    assert chen.phone == "+8613905969999" and chen.identity_number == values["identity_number"]
    assert RegisterReview.objects.get(pk=first.pk).status == "linked"
    out = io.StringIO()
    call_command("register", "review", str(load.pk), "3", "--new", stdout=out)
    assert "created" in out.getvalue()
    assert Person.objects.filter(name="新人", village=world.village).exists()
    assert AuditEvent.objects.filter(action="people.register.review").count() == 2
    # Decided already; another county's staff cannot see the load.
    assert (
        client_for(world.other_county_staff)
        .post(f"/people/register/{load.pk}/", {"review": second.pk, "person": "new"})
        .status_code
        == 404
    )
