"""Importing push lists: formats, encodings, bad rows, repeats, failures."""

from __future__ import annotations

import openpyxl
import pytest

from zhanyi.core.models import AuditEvent
from zhanyi.screening.actions import do_import_push_list
from zhanyi.screening.actions.intake import error_file_path
from zhanyi.screening.models import Decision, PushList, PushRecord, ScreeningTask

from .conftest import address_of, csv_bytes, row_for, write_file, xlsx_file


def test_a_csv_list_links_its_people_and_gives_each_a_task_for_their_village(
    world, index, putian, tmp_path
):
    rows = [row_for(world, "陈建国"), row_for(world, "吴丽华", category="次密接")]
    path = write_file(tmp_path, "putian.csv", csv_bytes(rows))
    push_list = do_import_push_list(putian, path, filename="putian.csv", acting_user=world.tracer)
    assert push_list.rows_read == 2
    assert push_list.rows_stored == 2
    assert push_list.encoding == "utf-8"
    records = {r.name: r for r in PushRecord.objects.all()}
    assert records["陈建国"].decision == Decision.LINK
    assert records["陈建国"].person == index["陈建国"]
    assert records["陈建国"].task.area == world.village
    assert records["吴丽华"].task.area == world.village2
    assert records["吴丽华"].task.category == "secondary_contact"
    task = records["陈建国"].task
    assert (task.due_at - task.received_at).total_seconds() == 2 * 3600
    assert AuditEvent.objects.filter(action="screening.push_list.import").count() == 1


@pytest.mark.parametrize(
    ("encoding", "named"),
    [("utf-8-sig", "utf-8-sig"), ("gbk", "gbk"), ("gb18030", "gb18030")],
)
def test_a_csv_in_each_chinese_encoding_is_read_and_the_encoding_named(
    world, index, putian, tmp_path, encoding, named
):
    # 䶮 is in GB18030 but not in GBK: it makes the file GB18030-only.
    name = "陈建国"
    rows = [row_for(world, name)]
    if encoding == "gb18030":
        rows[0][3] = rows[0][3] + "䶮"
    path = write_file(tmp_path, "list.csv", csv_bytes(rows, encoding))
    push_list = do_import_push_list(putian, path, filename="list.csv", acting_user=world.tracer)
    assert push_list.encoding == named
    assert PushRecord.objects.get().name == name


def test_an_xlsx_list_is_read_streaming_with_dates_as_cells(world, index, putian, tmp_path):
    import datetime as dt

    row = row_for(world, "林秀英", exposure=dt.datetime(2021, 9, 10, 8, 0))  # noqa: DTZ001 - as a cell holds it
    path = xlsx_file(tmp_path, "list.xlsx", [row])
    push_list = do_import_push_list(putian, path, filename="list.xlsx", acting_user=world.tracer)
    record = PushRecord.objects.get()
    assert push_list.file_format == "xlsx"
    assert record.person == index["林秀英"]
    assert record.exposure_at.isoformat() == "2021-09-10T00:00:00+00:00"


def test_a_bad_field_is_a_warning_and_only_a_row_that_identifies_nobody_is_refused(
    world, index, putian, tmp_path
):
    good = row_for(world, "陈建国")
    bad_id = row_for(world, "林秀英")
    bad_id[1] = bad_id[1][:-1] + ("0" if bad_id[1][-1] != "0" else "1")
    bad_category = row_for(world, "黄志强", category="路人")
    bad_phone = row_for(world, "吴丽华")
    bad_phone[1], bad_phone[2] = "", "12345"
    nobody = row_for(world, "王芳")
    nobody[:3] = ["", "不详", "-"]
    rows = [good, bad_id, bad_category, bad_phone, nobody]
    path = write_file(tmp_path, "list.csv", csv_bytes(rows))
    push_list = do_import_push_list(putian, path, filename="list.csv", acting_user=world.tracer)
    assert (push_list.rows_read, push_list.rows_stored) == (5, 4)
    assert (push_list.rows_invalid, push_list.rows_warned) == (1, 3)
    records = {r.name: r for r in PushRecord.objects.all()}
    # Each found by its other fields (linked, or to review with the person as a
    # candidate in this eight-person index); the bad field kept in the payload.
    for name in ("林秀英", "黄志强", "吴丽华"):
        record = records[name]
        assert record.person == index[name] or (
            record.decision == Decision.REVIEW and index[name].pk in record.candidates
        ), name
        assert record.warnings, name
    assert records["林秀英"].identity_number == bad_id[1]
    assert records["林秀英"].payload["身份证号"] == bad_id[1]
    assert records["黄志强"].category == "risk_area_arrival"
    assert records["吴丽华"].phone == ""
    sheet = openpyxl.load_workbook(error_file_path(push_list)).active
    rows_out = list(sheet.iter_rows(values_only=True))
    assert rows_out[0][-3:] == ("Errors", "Warnings", "Row")
    by_row = {r[-1]: r for r in rows_out[1:]}
    assert "identifies the person" in by_row[6][-3]
    assert "check character" in by_row[3][-2] and not by_row[3][-3]
    assert "路人" in by_row[4][-2]
    assert "12345" in by_row[5][-2]
    assert 2 not in by_row


def test_the_corrected_error_file_imports_only_the_fixed_rows(world, index, putian, tmp_path):
    good = row_for(world, "陈建国")
    bad = row_for(world, "林秀英")
    bad[:3] = ["", "", ""]
    first = write_file(tmp_path, "list.csv", csv_bytes([good, bad]))
    push_list = do_import_push_list(putian, first, filename="list.csv", acting_user=world.tracer)
    assert (push_list.rows_stored, push_list.rows_invalid) == (1, 1)
    fixed = write_file(tmp_path, "fixed.csv", csv_bytes([good, row_for(world, "林秀英")]))
    second = do_import_push_list(putian, fixed, filename="fixed.csv", acting_user=world.tracer)
    assert (second.rows_stored, second.rows_repeated) == (1, 1)
    assert PushRecord.objects.count() == 2
    assert ScreeningTask.objects.count() == 2


def test_the_same_file_twice_creates_nothing_new(world, index, putian, tmp_path):
    path = write_file(tmp_path, "list.csv", csv_bytes([row_for(world, "陈建国")]))
    first = do_import_push_list(putian, path, filename="list.csv", acting_user=world.tracer)
    again = do_import_push_list(putian, path, filename="copy.csv", acting_user=world.tracer)
    assert again.pk == first.pk
    assert PushList.objects.count() == 1
    assert PushRecord.objects.count() == 1


def test_a_person_pushed_twice_in_one_list_and_by_another_source_is_one_task(
    world, index, putian, tmp_path
):
    from zhanyi.screening.models import PushSource

    xiamen = PushSource.objects.create(name="厦门市协查", origin_city="厦门市")
    twice = [row_for(world, "陈建国"), row_for(world, "陈建国", exposure="2021-09-09 20:00")]
    path = write_file(tmp_path, "a.csv", csv_bytes(twice))
    do_import_push_list(putian, path, filename="a.csv", acting_user=world.tracer)
    other = write_file(
        tmp_path, "b.csv", csv_bytes([row_for(world, "陈建国", category="时空伴随")])
    )
    do_import_push_list(xiamen, other, filename="b.csv", acting_user=world.tracer)
    assert PushRecord.objects.count() == 3
    assert ScreeningTask.objects.count() == 1
    assert set(PushRecord.objects.values_list("task", flat=True)) == {
        ScreeningTask.objects.get().pk
    }


def test_people_not_in_the_index_become_one_new_person_per_cluster(world, index, putian, tmp_path):
    from zhanyi.people.models import Person, SourceRecord

    stranger = ["周小龙", "350602199203030315", "13905969999", "", "密接", "莆田市", ""]
    from zhanyi.engine.identity import check_char

    stranger[1] = stranger[1][:17] + check_char(stranger[1][:17])
    again = [*stranger]
    again[6] = "2021-09-09 10:00"
    path = write_file(tmp_path, "list.csv", csv_bytes([stranger, again]))
    before = Person.objects.count()
    do_import_push_list(putian, path, filename="list.csv", acting_user=world.tracer)
    assert Person.objects.count() == before + 1
    person = Person.objects.get(name="周小龙")
    assert set(PushRecord.objects.values_list("decision", flat=True)) == {Decision.NEW}
    assert SourceRecord.objects.filter(person=person, source="push_list").count() == 2
    task = ScreeningTask.objects.get(person=person)
    # No address: the manual queue at the top of the tree.
    assert task.manual and task.area == world.city


def test_an_address_naming_only_a_township_goes_to_the_townships_manual_queue(
    world, index, putian, tmp_path
):
    row = ["周小龙", "", "13905969998", "芗城区东铺头街道某某大厦", "密接", "莆田市", ""]
    path = write_file(tmp_path, "list.csv", csv_bytes([row]))
    do_import_push_list(putian, path, filename="list.csv", acting_user=world.tracer)
    task = ScreeningTask.objects.get()
    assert task.manual
    assert task.area == world.township


def test_a_list_that_fails_while_storing_leaves_nothing_stored(
    world, index, putian, tmp_path, monkeypatch
):
    from zhanyi.people.models import Person
    from zhanyi.screening.actions import linking

    rows = [row_for(world, "陈建国"), ["周小龙", "", "13905969997", "", "密接", "莆田市", ""]]
    path = write_file(tmp_path, "list.csv", csv_bytes(rows))
    persons = Person.objects.count()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(linking, "_source_records", broken)
    with pytest.raises(RuntimeError):
        do_import_push_list(putian, path, filename="list.csv", acting_user=world.tracer)
    assert PushList.objects.count() == 0
    assert PushRecord.objects.count() == 0
    assert ScreeningTask.objects.count() == 0
    assert Person.objects.count() == persons
    monkeypatch.undo()
    do_import_push_list(putian, path, filename="list.csv", acting_user=world.tracer)
    assert PushRecord.objects.count() == 2


def test_a_file_without_the_needed_columns_is_refused_naming_them(world, index, putian, tmp_path):
    from zhanyi.screening.reading import PushListFileError

    path = write_file(tmp_path, "list.csv", csv_bytes([["x"]], header=["备注"]))
    with pytest.raises(PushListFileError, match="Name"):
        do_import_push_list(putian, path, filename="list.csv", acting_user=world.tracer)
    assert PushList.objects.count() == 0


def test_a_file_of_another_format_is_refused(world, putian, tmp_path):
    from zhanyi.screening.reading import PushListFileError

    path = write_file(tmp_path, "list.pdf", b"%PDF")
    with pytest.raises(PushListFileError, match="xlsx"):
        do_import_push_list(putian, path, filename="list.pdf", acting_user=world.tracer)


def test_the_sources_column_mapping_reads_its_own_headers(world, index, putian, tmp_path):
    putian.column_mapping = {"name": "人员", "identity_number": "证件", "category": "分类"}
    putian.save()
    header = ["人员", "证件", "分类"]
    row = row_for(world, "王芳")
    path = write_file(tmp_path, "list.csv", csv_bytes([[row[0], row[1], row[4]]], header=header))
    do_import_push_list(putian, path, filename="list.csv", acting_user=world.tracer)
    assert PushRecord.objects.get().person == index["王芳"]


def test_address_of_helper_matches_the_world(world):
    assert address_of(world, "village", "1号").startswith("漳州市芗城区东铺头街道东铺头社区")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_progress_is_reported_with_the_number_of_rows_the_file_holds(
    world, index, putian, tmp_path, fmt
):
    rows = [row_for(world, "陈建国"), row_for(world, "林秀英"), row_for(world, "王芳")]
    if fmt == "csv":
        path = write_file(tmp_path, "list.csv", csv_bytes(rows))
    else:
        path = xlsx_file(tmp_path, "list.xlsx", rows)
    calls = []
    do_import_push_list(
        putian,
        path,
        filename=path.name,
        acting_user=world.tracer,
        progress=lambda done, total, stage: calls.append((done, total, stage)),
    )
    assert calls[0] == (3, 3, "reading")
    assert calls[-1][2] == "storing"


def test_an_uploaded_file_object_is_read_without_a_path(world, index, putian):
    import io

    data = io.BytesIO(csv_bytes([row_for(world, "陈建国")], "utf-8-sig"))
    push_list = do_import_push_list(putian, data, filename="list.csv", acting_user=world.tracer)
    assert push_list.encoding == "utf-8-sig" and push_list.rows_stored == 1
    assert not data.closed


def test_an_xls_list_is_read_with_numbers_and_dates_as_its_cells(world, index, putian):
    """``data/quanzhou.xls`` was written once with xlwt (not a dependency): the
    phone of the first row is a number cell, the exposure times are date cells."""
    from pathlib import Path

    path = Path(__file__).parent / "data" / "quanzhou.xls"
    push_list = do_import_push_list(putian, path, filename=path.name, acting_user=world.tracer)
    assert (push_list.file_format, push_list.rows_stored, push_list.rows_invalid) == ("xls", 2, 0)
    records = {r.name: r for r in PushRecord.objects.all()}
    assert records["陈建国"].person == index["陈建国"]
    assert records["陈建国"].phone == "+8613905961001"
    assert records["吴丽华"].exposure_at.isoformat() == "2021-09-09T12:30:00+00:00"
    assert records["吴丽华"].category == "secondary_contact"


def test_a_stream_that_cannot_seek_is_spooled_to_disk_and_removed(world, index, putian, settings):
    import io

    class Stream(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer) -> int:
            chunk = self.inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    stream = Stream(csv_bytes([row_for(world, "陈建国")], "gbk"))
    push_list = do_import_push_list(putian, stream, filename="list.csv", acting_user=world.tracer)
    assert push_list.encoding == "gbk" and push_list.rows_stored == 1
    uploads = settings.DATA_DIR / "screening" / "uploads"
    assert not any(uploads.iterdir())
