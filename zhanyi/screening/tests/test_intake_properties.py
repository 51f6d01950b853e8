"""Properties of the push-list importer (hypothesis).

Whatever file arrives: it is refused with a reason (``PushListFileError``) or
imported, never an uncaught exception; every row read is stored, refused with
a reason in the error file, or counted as a repeat; importing the same file
again changes nothing. Each example runs in a savepoint that is rolled back, so
examples do not see each other's lists.
"""

from __future__ import annotations

import io

import openpyxl
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from zhanyi.core.spreadsheet import clean_text
from zhanyi.screening.actions import do_import_push_list
from zhanyi.screening.actions.intake import error_file_path
from zhanyi.screening.models import PushList, PushRecord
from zhanyi.screening.reading import PushListFileError

from .conftest import HEADER, PEOPLE, csv_bytes, row_for

# Cells as staff type them, and as they break: any text, numbers, odd dates.
CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "=1+1", "@SUM(A1)", "-", "2021-09-10 08:00", "1900-01-01", "密接"]),
    st.integers(-(10**12), 10**12).map(str),
    st.text(alphabet="0123456789Xx", min_size=15, max_size=19),
)


def _import(source, data: bytes, filename: str, user):
    return do_import_push_list(source, io.BytesIO(data), filename=filename, acting_user=user)


def _check_accounted(push_list: PushList) -> None:
    """Every row read is stored, refused with a reason, or a repeat."""
    assert push_list.rows_read == (
        push_list.rows_stored + push_list.rows_invalid + push_list.rows_repeated
    )
    assert PushRecord.objects.filter(push_list=push_list).count() == push_list.rows_stored
    path = error_file_path(push_list)
    if push_list.rows_invalid:
        # The file holds the refused rows (and rows stored with a warning), each with why.
        sheet = openpyxl.load_workbook(path, read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))[1:]
        assert len(rows) >= push_list.rows_invalid
        assert all(row[-1] for row in rows), "each row of the file says why"


def _import_twice(source, data: bytes, filename: str, user) -> None:
    try:
        first = _import(source, data, filename, user)
    except PushListFileError as error:
        assert str(error), "a refused file says why"
        assert not PushList.objects.exists()
        return
    _check_accounted(first)
    records = PushRecord.objects.count()
    again = _import(source, data, "again-" + filename, user)
    assert again.pk == first.pk
    assert PushRecord.objects.count() == records


@settings(max_examples=15)
@given(
    data=st.one_of(
        st.binary(max_size=600),
        st.text(max_size=300).map(lambda t: t.encode("utf-8")),
        st.lists(st.lists(CELLS, max_size=9), max_size=6).map(
            lambda rows: csv_bytes(rows, "utf-8", HEADER)
        ),
    ),
    extension=st.sampled_from(["csv", "xlsx", "xls"]),
)
def test_any_bytes_are_imported_or_refused_with_a_reason(world, index, putian, data, extension):
    with transaction.atomic():
        _import_twice(putian, data, f"list.{extension}", world.tracer)
        transaction.set_rollback(True)


@st.composite
def push_rows(draw, world) -> list[list]:
    """Rows of the world's people, some with a cell replaced by anything."""
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from(PEOPLE))[0]
        row = row_for(world, name, category=draw(st.sampled_from(["密接", "次密接", "时空伴随"])))
        if draw(st.booleans()):
            row[draw(st.integers(0, len(row) - 1))] = draw(CELLS)
        rows.append(row)
    return rows


@settings(max_examples=15)
@given(data=st.data(), as_xlsx=st.booleans())
def test_each_row_is_stored_refused_with_a_reason_or_a_repeat(world, index, putian, data, as_xlsx):
    rows = data.draw(push_rows(world))
    if as_xlsx:
        # A workbook cannot hold control characters: as a spreadsheet program saves it.
        rows = [[clean_text(c) for c in row] for row in rows]
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        payload, filename = out.getvalue(), "list.xlsx"
    else:
        payload, filename = csv_bytes(rows), "list.csv"
    with transaction.atomic():
        push_list = _import(putian, payload, filename, world.tracer)
        _check_accounted(push_list)
        # Rows with no cell at all are skipped; every other row is read.
        assert push_list.rows_read == sum(1 for row in rows if any(c != "" for c in row))
        stored = PushRecord.objects.count()
        again = _import(putian, payload, "copy-" + filename, world.tracer)
        assert again.pk == push_list.pk
        assert PushRecord.objects.count() == stored
        transaction.set_rollback(True)


def test_a_time_cell_of_only_a_control_character_is_an_empty_time(world, index, putian):
    """Found by the property above: a NUL in the exposure column failed the import
    with a TypeError instead of reading an empty cell."""
    row = row_for(world, "陈建国", exposure="\x00")
    push_list = _import(putian, csv_bytes([row]), "list.csv", world.tracer)
    assert (push_list.rows_read, push_list.rows_stored) == (1, 1)
    assert PushRecord.objects.get().exposure_at is None
