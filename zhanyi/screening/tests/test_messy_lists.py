"""Lists as other cities really write them (issue 15): every fault kind on its own row,
imported through the one entry point on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from zhanyi.screening.actions import do_import_push_list
from zhanyi.screening.models import Decision, PushRecord

from .conftest import PEOPLE, csv_bytes, resident_id, row_for, write_file, xlsx_file

FULL_HEADER = ["姓名", "身份证号", "手机号", "现住址", "人员类别", "推送地", "末次接触时间"]
FULL_HEADER += ["性别", "出生日期"]


def _person_of(name: str) -> tuple:
    return next(p for p in PEOPLE if p[0] == name)


def _named(row: list, written: str) -> list:
    row[0] = written
    return row


def _row(world, name: str, *, sex: str = "", birth: object = "", **changes) -> list:
    return [*row_for(world, name, **changes), sex, birth]


def _import(putian, world, tmp_path, rows, *, name="list.csv", header=FULL_HEADER):
    if name.endswith(".xlsx"):
        path = xlsx_file(tmp_path, name, rows, header=header)
    else:
        path = write_file(tmp_path, name, csv_bytes(rows, header=header))
    return do_import_push_list(putian, path, filename=name, acting_user=world.tracer)


def _found(record: PushRecord, person) -> bool:
    """Linked to the person, or to review with the person among the candidates
    (the eight-person index of these tests makes the model cautious)."""
    return record.person == person or (
        record.decision == Decision.REVIEW and person.pk in record.candidates
    )


def test_dates_sex_categories_and_times_as_senders_write_them_are_read(
    world, index, putian, tmp_path
):
    rows = [
        # No identity number: birth date and sex are the row's own.
        _row(world, "陈建国", id="", sex="男性", birth="1975-3-12 0:00:00", category="密接人员"),
        _row(world, "林秀英", id="-", sex="2", birth="82-7-4", category="次密接人员"),
        _row(world, "黄志强", id="无", sex="M", birth="32874", exposure="9月10日"),
        _row(world, "吴丽华", id="不详", sex="F", birth="1968年9月", category="时空伴随人员"),
        _row(world, "郑伟", id="", sex="男", birth="2001.02.15", exposure="9月10日 14时30分"),
    ]
    push_list = _import(putian, world, tmp_path, rows)
    assert (push_list.rows_stored, push_list.rows_invalid, push_list.rows_warned) == (5, 0, 0)
    records = {r.name: r for r in PushRecord.objects.all()}
    assert records["陈建国"].birth_date == dt.date(1975, 3, 12)
    assert records["陈建国"].sex == "male" and records["陈建国"].category == "close_contact"
    assert records["林秀英"].birth_date == dt.date(1982, 7, 4)
    assert records["林秀英"].sex == "female" and records["林秀英"].category == "secondary_contact"
    assert records["黄志强"].birth_date == dt.date(1990, 1, 1)  # Excel's serial 32874
    assert records["吴丽华"].birth_date is None  # a year and month only: for matching
    assert records["吴丽华"].category == "companion"
    year = push_list.received_at.astimezone(dt.timezone(dt.timedelta(hours=8))).year
    exposure = records["郑伟"].exposure_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert (exposure.month, exposure.day, exposure.hour, exposure.minute) == (9, 10, 14, 30)
    assert exposure.year in (year, year - 1)
    for name, record in records.items():
        assert _found(record, index[name]), name


def test_excel_date_cells_with_a_time_part_are_read_as_dates(world, index, putian, tmp_path):
    rows = [_row(world, "陈建国", id="", birth=dt.datetime(1975, 3, 12, 0, 0))]  # noqa: DTZ001
    _import(putian, world, tmp_path, rows, name="list.xlsx")
    assert PushRecord.objects.get().birth_date == dt.date(1975, 3, 12)


def test_identity_numbers_as_senders_write_them(world, index, putian, tmp_path):
    _name, birth, seq, *_rest = _person_of("陈建国")
    full = resident_id(birth, seq)
    fifteen = full[:6] + full[8:17]
    mistyped = resident_id(*_person_of("林秀英")[1:3])
    mistyped = mistyped[:-1] + ("0" if mistyped[-1] != "0" else "1")
    rows = [
        row_for(world, "陈建国", id=fifteen),
        row_for(world, "黄志强", id="'" + resident_id(*_person_of("黄志强")[1:3])),
        row_for(world, "吴丽华", id="\t" + resident_id(*_person_of("吴丽华")[1:3])),
        row_for(world, "郑伟", id="3.50602E+17"),
        row_for(world, "林秀英", id=mistyped),
    ]
    push_list = _import(putian, world, tmp_path, rows, header=FULL_HEADER[:7])
    assert (push_list.rows_stored, push_list.rows_invalid) == (5, 0)
    records = {r.name: r for r in PushRecord.objects.all()}
    assert records["陈建国"].identity_number == full
    assert records["陈建国"].person == index["陈建国"]
    assert records["陈建国"].method == "id_exact"
    assert any("15-digit" in w for w in records["陈建国"].warnings)
    assert records["黄志强"].method == records["吴丽华"].method == "id_exact"
    assert not records["黄志强"].warnings and not records["吴丽华"].warnings
    assert any("scientific notation" in w for w in records["郑伟"].warnings)
    assert records["郑伟"].identity_number == "350602000000000000"
    # A mistyped number is a fuzzy value for the model, not a refusal.
    assert records["林秀英"].identity_number == mistyped
    assert any("check character" in w for w in records["林秀英"].warnings)
    for name in ("郑伟", "林秀英"):
        assert _found(records[name], index[name]), name


def test_a_field_against_a_valid_identity_number_trusts_the_number_and_flags_the_row(
    world, index, putian, tmp_path
):
    rows = [_row(world, "陈建国", sex="女", birth="1975-03-13")]
    _import(putian, world, tmp_path, rows)
    record = PushRecord.objects.get()
    assert record.person == index["陈建国"] and record.method == "id_exact"
    assert (record.birth_date, record.sex) == (dt.date(1975, 3, 12), "male")
    assert len([w for w in record.warnings if "identity number" in w]) == 2


def test_someone_elses_identity_number_goes_to_review_with_both_candidates(
    world, index, putian, tmp_path
):
    # 陈建国's row carries 林秀英's number: another name, another birth date.
    other = resident_id(*_person_of("林秀英")[1:3])
    rows = [_row(world, "陈建国", id=other, birth="1975-03-12", sex="男")]
    _import(putian, world, tmp_path, rows)
    record = PushRecord.objects.get()
    assert record.decision == Decision.REVIEW and record.person is None
    assert record.method == "id_conflict"
    assert record.candidates[0] == index["林秀英"].pk
    assert index["陈建国"].pk in record.candidates


def test_someone_elses_number_on_a_row_without_a_birth_date_is_not_linked(
    world, index, putian, tmp_path
):
    # 黄志强's row, no birth date written, carries 王芳's number and his own phone.
    other = resident_id(*_person_of("王芳")[1:3])
    _import(putian, world, tmp_path, [row_for(world, "黄志强", id=other)], header=FULL_HEADER[:7])
    record = PushRecord.objects.get()
    assert record.decision == Decision.REVIEW and record.method == "id_conflict"
    assert record.candidates[0] == index["王芳"].pk


def test_a_typo_in_the_name_of_an_exact_number_still_links(world, index, putian, tmp_path):
    rows = [_named(row_for(world, "陈建国"), "陈建囯")]
    _import(putian, world, tmp_path, rows)
    record = PushRecord.objects.get()
    assert record.person == index["陈建国"] and record.method == "id_exact"


def test_phones_several_in_a_cell_and_landlines(world, index, putian, tmp_path):
    rows = [
        row_for(world, "陈建国", id="", phone="13905961001/13800000000"),
        row_for(world, "林秀英", id="", phone="0596-2345678，13905961002"),
        row_for(world, "黄志强", id="", phone="13905961003 13800000001"),
        row_for(world, "吴丽华", phone="0596-2345678"),
    ]
    push_list = _import(putian, world, tmp_path, rows, header=FULL_HEADER[:7])
    assert push_list.rows_invalid == 0
    records = {r.name: r for r in PushRecord.objects.all()}
    # The first of the cell's numbers is the row's phone; all are in its payload.
    assert records["陈建国"].phone == "+8613905961001"
    # A mobile before a fixed line (a household's); a fixed line alone is kept.
    assert records["林秀英"].phone == "+8613905961002"
    assert records["吴丽华"].phone == "+865962345678"
    assert records["黄志强"].phone == "+8613905961003"
    for name in records:
        assert _found(records[name], index[name]), name


@pytest.mark.parametrize(
    "written", ["林秀英(其子)", "林秀英（母）", "林秀英 (家属)", "Lin Xiuying", "XIUYING LIN"]
)
def test_names_with_notes_or_in_pinyin_find_the_person(world, index, putian, tmp_path, written):
    rows = [_named(row_for(world, "林秀英", id=""), written)]
    _import(putian, world, tmp_path, rows, header=FULL_HEADER[:7])
    record = PushRecord.objects.get()
    assert _found(record, index["林秀英"])
    if "(" in written or "（" in written:
        assert record.name == "林秀英" and record.payload["姓名"] == written


def test_the_error_file_lists_refusals_and_warnings_each_on_its_row(world, index, putian, tmp_path):
    from zhanyi.screening.actions.intake import error_file_path

    nobody = _row(world, "王芳")
    nobody[:3] = ["", "无", ""]
    rows = [_row(world, "陈建国", sex="?"), nobody]
    push_list = _import(putian, world, tmp_path, rows)
    sheet = openpyxl.load_workbook(error_file_path(push_list)).active
    out = list(sheet.iter_rows(values_only=True))
    assert len(out) == 3
    assert out[1][-1] == 2 and not out[1][-3] and "Sex" in out[1][-2]
    assert out[2][-1] == 3 and out[2][-3] and not out[2][-2]


SENDERS_HEADER = ["序号", "姓名", "身份证", "联系方式", "出生年月", "现居住地", "人员类型", "备注"]


def _senders_row(world, n: int, name: str) -> list:
    _name, birth, seq, phone, village, street = _person_of(name)
    from .conftest import address_of

    address = address_of(world, village, street)
    return [n, name, resident_id(birth, seq), phone, birth[:4] + "年", address, "密接人员", "无"]


def test_a_title_above_the_header_senders_headers_and_a_totals_row(world, index, putian, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["莆田市协查人员名单（第12批）"])
    sheet.append(["填报单位：协查组", None, None, "日期：2021年9月12日"])
    sheet.append(SENDERS_HEADER)
    sheet.append(_senders_row(world, 1, "陈建国"))
    sheet.append(_senders_row(world, 2, "吴丽华"))
    sheet.append(["合计：2人"])
    path = tmp_path / "list.xlsx"
    book.save(path)
    push_list = do_import_push_list(putian, path, filename="list.xlsx", acting_user=world.tracer)
    assert (push_list.rows_read, push_list.rows_stored, push_list.rows_invalid) == (2, 2, 0)
    records = {r.name: r for r in PushRecord.objects.order_by("row_number")}
    assert [r.row_number for r in records.values()] == [4, 5]
    assert records["陈建国"].phone == "+8613905961001"  # 联系方式
    assert records["陈建国"].address.startswith("漳州市")  # 现居住地
    assert records["吴丽华"].person == index["吴丽华"]  # 身份证
    notes = " ".join(push_list.notes)
    assert "row 3" in notes and "Row 6" in notes
    assert "序号" in notes and "备注" in notes  # the columns no field reads


def test_the_columns_are_shown_before_the_import_and_can_be_mapped(world, index, putian, tmp_path):
    from zhanyi.screening.actions.intake import preview_columns

    header = ["姓名", "证件", "手机号", "居住的地方", "类别"]
    rows = [["陈建国", resident_id("19750312", 111), "13905961001", "东铺头社区", "密接"]]
    path = write_file(tmp_path, "list.csv", csv_bytes(rows, header=header))
    preview = preview_columns(putian, path, filename="list.csv")
    assert preview["header_row"] == 1 and not preview["problem"]
    assert preview["unmapped"] == ["居住的地方"]
    fields = {c["header"]: c["field"] for c in preview["columns"]}
    assert fields["证件"] == "identity_number" and fields["居住的地方"] == ""
    mapped = preview_columns(putian, path, filename="list.csv", mapping={"address": "居住的地方"})
    assert mapped["unmapped"] == []
    do_import_push_list(
        putian,
        path,
        filename="list.csv",
        acting_user=world.tracer,
        mapping={"address": "居住的地方"},
    )
    assert PushRecord.objects.get().address == "东铺头社区"


def test_a_file_without_a_header_in_its_first_rows_says_what_it_lacks(
    world, index, putian, tmp_path
):
    from zhanyi.screening.actions.intake import preview_columns
    from zhanyi.screening.reading import PushListFileError

    rows = [["说明"]] * 12
    path = write_file(tmp_path, "list.csv", csv_bytes(rows, header=["名单"]))
    assert "no column for" in preview_columns(putian, path, filename="list.csv")["problem"]
    with pytest.raises(PushListFileError):
        do_import_push_list(putian, path, filename="list.csv", acting_user=world.tracer)


def test_the_upload_page_shows_the_columns_and_imports_with_the_mapping(
    world, index, putian, client_for
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhanyi.screening.models import ImportJob

    header = ["姓名", "证件", "手机号", "居住的地方", "类别"]
    rows = [["陈建国", resident_id("19750312", 111), "13905961001", "东铺头社区", "密接"]]
    data = csv_bytes(rows, header=header)
    client = client_for(world.tracer)
    page = client.post(
        "/screening/upload/",
        {"source": putian.pk, "file": SimpleUploadedFile("l.csv", data), "check": "1"},
    )
    body = page.content.decode()
    assert page.status_code == 200 and "Columns not read:" in body and "居住的地方" in body
    assert not ImportJob.objects.exists()
    # The file checked is kept: "Upload" imports it without choosing it again.
    kept = page.context["kept"]
    assert kept["filename"] == "l.csv" and 'name="kept"' in body
    response = client.post(
        "/screening/upload/",
        {"source": putian.pk, "kept": kept["name"], "map_address": "居住的地方"},
    )
    assert response.status_code == 302
    assert PushRecord.objects.get().address == "东铺头社区"
    assert ImportJob.objects.get().filename == "l.csv"
    # Imported once: the kept file is gone, a second "Upload" asks for a file.
    again = client.post("/screening/upload/", {"source": putian.pk, "kept": kept["name"]})
    assert again.status_code == 200 and again.context["form"].errors["file"]
    assert ImportJob.objects.count() == 1


def test_a_file_chosen_again_after_the_check_still_imports(world, index, putian, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from zhanyi.screening.jobs import kept_upload

    header = ["姓名", "证件", "手机号", "居住的地方", "类别"]
    rows = [["陈建国", resident_id("19750312", 111), "13905961001", "东铺头社区", "密接"]]
    data = csv_bytes(rows, header=header)
    client = client_for(world.tracer)
    page = client.post(
        "/screening/upload/",
        {"source": putian.pk, "file": SimpleUploadedFile("l.csv", data), "check": "1"},
    )
    kept = page.context["kept"]["name"]
    # Another user's session cannot import this user's kept file by its name.
    other = Client()
    other.force_login(world.commander)
    refused = other.post("/screening/upload/", {"source": putian.pk, "kept": kept})
    assert refused.status_code == 200 and refused.context["form"].errors["file"]
    assert kept_upload(kept) is not None
    response = client.post(
        "/screening/upload/",
        {
            "source": putian.pk,
            "file": SimpleUploadedFile("l.csv", data),
            "map_address": "居住的地方",
        },
    )
    assert response.status_code == 302
    assert PushRecord.objects.get().address == "东铺头社区"
    assert kept_upload(kept) is None  # the file kept by the check was removed


def test_the_api_shows_the_columns_and_imports_with_a_mapping(world, index, putian, client_for):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    header = ["姓名", "证件", "手机号", "居住的地方", "类别"]
    rows = [["陈建国", resident_id("19750312", 111), "13905961001", "东铺头社区", "密接"]]
    data = csv_bytes(rows, header=header)
    client = client_for(world.tracer)
    shown = client.post(
        "/api/v1/screening/lists/columns/",
        {"source": putian.name, "file": SimpleUploadedFile("l.csv", data)},
    )
    assert shown.status_code == 200 and shown.json()["unmapped"] == ["居住的地方"]
    bad = client.post(
        "/api/v1/screening/lists/",
        {"source": putian.name, "file": SimpleUploadedFile("l.csv", data), "mapping": '["x"]'},
    )
    assert bad.status_code == 400
    posted = client.post(
        "/api/v1/screening/lists/",
        {
            "source": putian.name,
            "file": SimpleUploadedFile("l.csv", data),
            "mapping": json.dumps({"address": "居住的地方"}),
        },
    )
    assert posted.status_code == 202
    assert PushRecord.objects.get().address == "东铺头社区"
    refused = client_for(world.outsider).post(
        "/api/v1/screening/lists/columns/",
        {"source": putian.name, "file": SimpleUploadedFile("l.csv", data)},
    )
    assert refused.status_code == 403


def test_the_command_line_shows_the_columns_and_maps_them(world, index, putian, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    header = ["姓名", "证件", "手机号", "居住的地方", "类别"]
    rows = [["陈建国", resident_id("19750312", 111), "13905961001", "东铺头社区", "密接"]]
    path = write_file(tmp_path, "l.csv", csv_bytes(rows, header=header))
    out = StringIO()
    call_command("import", "pushlist", str(path), "--source", putian.name, "--columns", stdout=out)
    assert "居住的地方 -> (not read)" in out.getvalue() and not PushRecord.objects.exists()
    out = StringIO()
    call_command(
        "import", "pushlist", str(path), "--source", putian.name, "--no-progress",
        "--map", "address=居住的地方", stdout=out,
    )  # fmt: skip
    assert PushRecord.objects.get().address == "东铺头社区"


def test_an_address_naming_a_compound_or_with_a_wrong_character_finds_its_village(
    world, index, putian, tmp_path
):
    from zhanyi.places.models import Place, PlaceKind

    Place.objects.create(
        name="翠湖天地花园", kind=PlaceKind.RESIDENTIAL_COMPOUND, area=world.village2
    )
    town = world.village.parent.name
    wrong = world.village.name[0] + "乙" + world.village.name[2:]
    rows = [
        row_for(world, "陈建国", id="", address=f"{town}翠湖天地花园3栋201"),
        row_for(world, "林秀英", id="", address=f"{town}{wrong}胜利路2号"),
    ]
    _import(putian, world, tmp_path, rows, header=FULL_HEADER[:7])
    records = {r.name: r for r in PushRecord.objects.all()}
    assert records["陈建国"].village == world.village2
    assert records["林秀英"].village == world.village
