"""An import's error file (``core.spreadsheet.ErrorFile``) is written whole or
not at all, and leaves nothing half-open behind when it cannot be written."""

from __future__ import annotations

import contextlib
import errno
import gc
import io
import sys

import openpyxl
import pytest

from zhanyi.core import spreadsheet
from zhanyi.core.spreadsheet import ErrorFile


class _FillingDisk(io.BytesIO):
    """A file on a disk with room for ``room`` bytes."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def write(self, data) -> int:
        if self.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)


@pytest.fixture
def unraisable(monkeypatch) -> list:
    """What Python would print as 'Exception ignored in …' (a half-open writer
    collected later, in another test)."""
    seen: list = []
    monkeypatch.setattr(sys, "unraisablehook", seen.append)
    return seen


def test_the_file_is_written_when_the_block_ends(tmp_path):
    path = tmp_path / "errors.xlsx"
    with ErrorFile(path, ["姓名", "公民身份号码"]) as errors:
        errors.add(["陈建国", "3506"], ["号码位数不对"], [], 2)
        errors.add(["林秀英"], [], ["缺少电话"], 3)
    assert (errors.count, errors.warned) == (1, 1)
    rows = list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert rows[1][:4] == ("陈建国", "3506", "号码位数不对", None)
    assert rows[2][0] == "林秀英" and rows[2][4] == 3


def test_a_failed_import_leaves_no_file_and_nothing_half_open(tmp_path, unraisable):
    path = tmp_path / "errors.xlsx"
    with pytest.raises(RuntimeError), ErrorFile(path, ["姓名"]) as errors:
        errors.add(["陈建国"], ["缺少号码"], [], 2)
        raise RuntimeError("the import failed")
    del errors
    gc.collect()
    assert not path.exists()
    assert unraisable == []


def test_a_disk_that_fills_while_writing_leaves_nothing_half_open(
    tmp_path, monkeypatch, unraisable
):
    @contextlib.contextmanager
    def filling(path, *args, **kwargs):
        yield _FillingDisk(room=2_000)

    monkeypatch.setattr(spreadsheet, "write_whole", filling)
    errors = ErrorFile(tmp_path / "errors.xlsx", ["姓名"])
    for n in range(500):
        errors.add([f"居民{n}"], ["缺少号码"], [], n + 2)
    with pytest.raises(OSError, match="No space"):
        errors.close()
    del errors
    gc.collect()
    assert unraisable == []
