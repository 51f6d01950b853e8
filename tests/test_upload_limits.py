"""Issue 14, findings 7 and 13: uploads have a size limit, a workbook a limit on what it
expands to, lab files are read as they stream, and a cell over the csv module's limit
is a message naming the line, never a 500. Every importer: push lists (screening),
lab results and sampling points' files (testing)."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from zhanyi.core.tabular import TableFileError, open_rows
from zhanyi.screening.actions import do_import_push_list
from zhanyi.screening.models import PushList, PushSource
from zhanyi.testing import actions as testing_actions
from zhanyi.testing.tests.factories import lab

HUGE = "x" * (csv.field_size_limit() + 10)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


HEADER = "姓名,身份证号,手机号,现住址,人员类别,推送地,末次接触时间"


def _csv_with_a_huge_cell() -> bytes:
    # Line 3 opens a quote never closed: the rest of the file is one cell.
    return f'{HEADER}\n张三,1,,,密接,,\n"{HUGE}\n李四,2,,,密接,,\n'.encode()


def test_a_cell_over_the_csv_limit_names_its_line():
    rows, _encoding, _total = open_rows(io.BytesIO(_csv_with_a_huge_cell()), "csv")
    with pytest.raises(TableFileError, match="Line 3") as refused:
        list(rows)
    assert f"{csv.field_size_limit():,}" in str(refused.value)


def test_a_push_list_with_a_huge_cell_is_refused_with_its_line(world, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    source = PushSource.objects.create(name="莆田市协查", origin_city="莆田市")
    with pytest.raises(TableFileError, match="Line 3"):
        do_import_push_list(
            source,
            io.BytesIO(_csv_with_a_huge_cell()),
            filename="list.csv",
            acting_user=world.tracer,
        )
    assert not PushList.objects.exists()


def test_a_lab_file_with_a_huge_cell_is_a_problem_not_a_server_error(world, api_for):
    lb = lab(world.city)
    data = f'barcode,result,tested_at\nT1,"{HUGE}\n'.encode()
    rows, problems = testing_actions.parse_results_csv(io.BytesIO(data))
    assert rows == [] and [(p.row, p.code) for p in problems] == [(2, "unreadable")]
    response = api_for(world.tracer).post(
        "/api/v1/testing/results/file/",
        {"lab": lb.code, "file": SimpleUploadedFile("r.csv", data, "text/csv")},
        format="multipart",
    )
    assert response.status_code in (200, 400), response.content
    assert "131,072" in response.content.decode()


def test_a_sampling_file_with_a_huge_cell_is_a_problem_not_a_server_error():
    from zhanyi.testing.actions.uploads import read_sample_file

    data = f'barcode,site,sampled_at,person\nT1,"{HUGE}\n'.encode()
    _swabs, problems = read_sample_file(io.BytesIO(data), "s.csv")
    assert [p.code for p in problems] == ["unreadable"] and "Line 2" in problems[0].message


class _NoWholeReads(io.BytesIO):
    """A file that fails if anyone reads it whole."""

    def read(self, size=-1):
        assert size is not None and 0 <= size <= 1 << 20, f"read({size}) reads the file whole"
        return super().read(size)

    def read1(self, size=-1):
        return self.read(size if size is not None and size >= 0 else 1 << 16)


def test_a_lab_file_is_read_as_it_streams():
    lines = ["barcode,result,tested_at"] + [
        f"T{i:06d},negative,2021-09-14T08:00" for i in range(30_000)
    ]
    rows, problems = testing_actions.parse_results_csv(_NoWholeReads("\n".join(lines).encode()))
    assert len(rows) == 30_000 and not problems


def _bomb(tmp_path, expanded_mb: int) -> bytes:
    """A valid workbook with one more part that expands to ``expanded_mb`` MB of zeros."""
    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号"])
    path = tmp_path / "b.xlsx"
    book.save(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.xml", b"\0" * (expanded_mb * 1024 * 1024))
    return path.read_bytes()


@override_settings(XLSX_MAX_EXPANDED_MB=2)
def test_a_workbook_that_expands_beyond_the_limit_is_refused_unopened(tmp_path):
    data = _bomb(tmp_path, 3)
    assert len(data) < 64 * 1024  # small on the wire
    with pytest.raises(TableFileError, match="expands to 3 MB") as refused:
        open_rows(io.BytesIO(data), "xlsx")
    assert "2 MB" in str(refused.value)
    # Within the limit it opens.
    rows, _e, _t = open_rows(io.BytesIO(_bomb(tmp_path, 1)), "xlsx")
    assert list(rows) == [["姓名", "身份证号"]]


@override_settings(UPLOAD_MAX_MB=1, LANGUAGE_CODE="en")
def test_an_upload_over_the_limit_is_refused_before_it_is_read(world, api_for, client_for):
    body = b"barcode,result,tested_at\n" + b"T1,negative,2021-09-14T08:00\n" * 50_000
    assert len(body) > 1024 * 1024
    lb = lab(world.city)
    response = api_for(world.tracer).post(
        "/api/v1/testing/results/file/",
        {"lab": lb.code, "file": SimpleUploadedFile("r.csv", body, "text/csv")},
        format="multipart",
    )
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert "/api/v1/testing/results/file/" in detail and "1 MB" in detail
    web = client_for(world.tracer).post(
        "/testing/results/upload/",
        {"lab": lb.code, "file": SimpleUploadedFile("r.csv", body, "text/csv")},
    )
    assert web.status_code == 413 and "/testing/results/upload/" in web.content.decode()
