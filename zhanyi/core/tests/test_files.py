"""Exports are written whole or not at all; a full disk is said in words."""

from __future__ import annotations

import pytest
from django.utils import translation

from zhanyi.core.files import DiskFullError, write_whole


def test_a_file_is_written_whole_and_in_place(tmp_path):
    path = tmp_path / "export.csv"
    with write_whole(path, "w", encoding="utf-8") as fh:
        fh.write("a,b\n" * 1000)
    assert path.read_text(encoding="utf-8") == "a,b\n" * 1000
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]


@pytest.mark.parametrize(
    ("language", "said"), [("en", "The disk is full: export.csv"), ("zh-hans", "磁盘已满")]
)
def test_a_full_disk_leaves_no_partial_file_and_says_so_translated(
    tmp_path, full_disk, language, said
):
    path = tmp_path / "export.csv"
    path.write_text("yesterday's export\n")
    opened = full_disk(room=100)
    with (
        translation.override(language),
        pytest.raises(DiskFullError) as raised,
        write_whole(path, "w", encoding="utf-8") as fh,
    ):
        for _ in range(1000):
            fh.write("a,b\n")
    assert said in str(raised.value) and "Errno" not in str(raised.value)
    assert opened, "the write went through the file-write boundary"
    # The part written before the disk filled is gone; the older file is untouched.
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]
    assert path.read_text() == "yesterday's export\n"


def test_another_failure_also_leaves_no_partial_file(tmp_path):
    path = tmp_path / "export.csv"
    with pytest.raises(RuntimeError), write_whole(path, "w") as fh:
        fh.write("half")
        raise RuntimeError("the rows ran out")
    assert list(tmp_path.iterdir()) == []
