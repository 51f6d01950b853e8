"""Reading tables (``core.tabular``): round trips over any text, and broken files.

Properties (hypothesis): a CSV written in any of the encodings staff send reads
back cell for cell; any bytes are rows or a ``TableFileError`` with a reason in
every format, never another exception.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from zhanyi.core.tabular import TableFileError, cell_text, open_rows

# What Chinese staff type, and what a CSV must quote.
_CHINESE = "陈林黄吴郑王李张芗城区漳州市东铺头社区胜利路号密接阴性"
_CELLS = {
    "utf-8": st.text(max_size=12),
    "utf-8-sig": st.text(max_size=12),
    "gbk": st.text(alphabet=_CHINESE + ',"\r\n ab1', max_size=12),
    "gb18030": st.text(alphabet=_CHINESE + '䶮,"\r\n ab1', max_size=12),
}


def _decodes_as_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
@given(data=st.data())
def test_a_csv_in_any_encoding_reads_back_cell_for_cell(encoding, data):
    rows = data.draw(st.lists(st.lists(_CELLS[encoding], min_size=1, max_size=5), max_size=6))
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    raw = out.getvalue().encode(encoding)
    if encoding in ("gbk", "gb18030"):
        # Bytes that are UTF-8 as well are read as UTF-8: the order tried.
        assume(not _decodes_as_utf8(raw))
    read, found, _count = open_rows(io.BytesIO(raw), "csv")
    assert list(read) == rows
    # GBK is a subset of GB18030 (the same bytes), tried first.
    assert found in (encoding, "utf-8", "gbk")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "xls"])
@given(raw=st.binary(max_size=400))
def test_any_bytes_are_rows_or_refused_with_a_reason(fmt, raw):
    try:
        rows, _encoding, _count = open_rows(io.BytesIO(raw), fmt)
        for row in rows:
            assert all(isinstance(cell_text(c), str) for c in row)
    except TableFileError as error:
        assert str(error)


def test_an_empty_xls_is_refused_with_a_reason():
    # Found by the property above: xlrd, given no bytes, opened a file named None.
    rows, _encoding, _count = open_rows(io.BytesIO(b""), "xls")
    with translation.override("en"), pytest.raises(TableFileError, match="empty"):
        next(rows)


@given(value=st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none()))
def test_a_cell_is_one_line_without_control_characters(value):
    text = cell_text(value)
    assert text == text.strip()
    assert not any(ord(c) < 32 or ord(c) == 127 for c in text)
    assert "  " not in text
