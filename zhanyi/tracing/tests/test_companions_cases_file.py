"""``zhanyi companions``: a bad cases file or records file is refused by name."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from zhanyi.tracing.management.commands.companions import read_cases


def test_a_cases_file_that_does_not_exist_is_refused_naming_it(tmp_path):
    path = tmp_path / "absent.csv"
    with pytest.raises(CommandError, match=r"absent\.csv: cannot read"):
        read_cases(path)


def test_a_csv_cases_file_without_the_columns_names_the_missing_ones(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("person_id,start\n1,2021-09-10\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"missing column\(s\) window_start, window_end"):
        read_cases(path)


def test_a_parquet_cases_file_without_the_columns_names_the_missing_ones(tmp_path):
    path = tmp_path / "cases.parquet"
    pq.write_table(pa.table({"x": [1]}), path)
    with pytest.raises(CommandError, match=r"missing column\(s\) person_id, window_start"):
        read_cases(path)


def test_a_file_that_is_not_parquet_is_refused_naming_it(tmp_path):
    path = tmp_path / "cases.parquet"
    path.write_text("not parquet", encoding="utf-8")
    with pytest.raises(CommandError, match=r"cases\.parquet: cannot read"):
        read_cases(path)


def test_a_good_csv_cases_file_is_read_with_local_times(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(
        "person_id,window_start,window_end\n7,2021-09-10T08:00,2021-09-12T08:00\n",
        encoding="utf-8",
    )
    table = read_cases(path)
    assert table.column("person_id").to_pylist() == [7]
    assert table.column("window_start")[0].as_py().hour == 0  # 08:00 Shanghai is 00:00 UTC


def test_a_records_file_without_time_columns_is_refused_without_a_traceback(tmp_path):
    path = tmp_path / "records.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    store = tmp_path / "store"
    with pytest.raises(CommandError, match=r"records\.csv: expected stays"):
        call_command("companions", "ingest", "--records", str(path), "--store", str(store))
    assert not any(store.glob("*/day=*"))


def test_a_time_that_is_not_a_time_is_refused_naming_the_option(tmp_path):
    with pytest.raises(CommandError, match=r"argument --from: not a time: 'bogus'"):
        call_command(
            "companions", "find", "--store", str(tmp_path), "--case", "1", "--from", "bogus"
        )


def test_a_cases_file_row_with_a_bad_time_names_the_row(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(
        "person_id,window_start,window_end\n7,2021-09-10T08:00,soon\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match=r"cases\.csv, row 2: not a time: 'soon'"):
        read_cases(path)
