"""What users typed goes out of the reply list and the error file as text: never a
live formula, and a control character neither breaks the download nor the import
(issue 14, findings 5 and 6)."""

from __future__ import annotations

import io

import openpyxl

from zhanyi.screening.actions import do_import_push_list, do_record_outcome
from zhanyi.screening.actions.intake import error_file_path
from zhanyi.screening.models import PushRecord, ScreeningTask

from .conftest import csv_bytes, row_for, write_file

FORMULAS = ['=HYPERLINK("http://evil.example/","点此")', "+1+1", "-2+3", "@SUM(A1:A9)"]


def _cells(data: bytes):
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def test_the_reply_list_writes_typed_formulas_as_text_and_survives_a_control_character(
    world, index, putian, tmp_path, client_for
):
    rows = [row_for(world, "陈建国"), row_for(world, "吴丽华"), row_for(world, "王芳")]
    rows += [row_for(world, "林秀英"), row_for(world, "黄志强")]
    path = write_file(tmp_path, "list.csv", csv_bytes(rows))
    do_import_push_list(putian, path, filename="list.csv", acting_user=world.commander)
    notes = [*FORMULAS, "门牌\x01号"]
    for task, note in zip(ScreeningTask.objects.order_by("pk"), notes, strict=False):
        do_record_outcome(
            task,
            acting_user=world.commander,
            outcome="not_in_city",
            current_location=note,
            notes=note,
        )
    response = client_for(world.commander).get(f"/screening/sources/{putian.pk}/reply.xlsx")
    assert response.status_code == 200
    cells = _cells(b"".join(response.streaming_content))
    assert all(c.data_type != "f" for c in cells)
    typed = {c.value: c for c in cells if c.value in FORMULAS}
    assert set(typed) == set(FORMULAS)
    assert all(c.quotePrefix for c in typed.values())
    assert "门牌\ufffd号" in {c.value for c in cells}


def test_a_pushed_row_with_a_control_character_or_a_formula_is_read_and_written_back_as_text(
    world, index, putian, tmp_path
):
    good = row_for(world, "陈建国")
    good[3] = good[3] + "\x01"
    bad = row_for(world, "林秀英", category="路人")
    bad[0], bad[3] = "=1+1", bad[3] + "\x00\x02"
    path = write_file(tmp_path, "list.csv", csv_bytes([good, bad]))
    push_list = do_import_push_list(putian, path, filename="list.csv", acting_user=world.tracer)
    # The unreadable category is a warning: the row is stored and listed in the error file.
    assert (push_list.rows_stored, push_list.rows_invalid, push_list.rows_warned) == (2, 0, 1)
    stored = PushRecord.objects.get(name="陈建国")
    assert "\x01" not in stored.address and stored.address.strip()
    cells = _cells(error_file_path(push_list).read_bytes())
    assert all(c.data_type != "f" for c in cells)
    name = next(c for c in cells if c.value == "=1+1")
    assert name.quotePrefix
