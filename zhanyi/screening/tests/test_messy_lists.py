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
