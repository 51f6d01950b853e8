"""``zhanyi companions ingest|find|purge`` end to end on a tiny town."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from zhanyi.core.models import AuditEvent
from zhanyi.engine.companions.testing import (
    as_tuples,
    cases_for,
    random_stays,
    write_stays,
)
from zhanyi.engine.tests.test_companions import RULE, reference


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("companions", *args, stdout=out, verbosity=0)
    return out.getvalue()


@pytest.fixture
def town(tmp_path: Path) -> tuple[Path, list, list]:
    rows = random_stays(3, days=4)
    write_stays(rows, tmp_path / "city" / "stays")
    return tmp_path, rows, cases_for(rows, 3, n=3)


def iso(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat()


@pytest.mark.django_db  # the purge is audited
def test_ingest_find_and_purge_from_the_command_line(town) -> None:
    tmp, rows, cases = town
    store = str(tmp / "store")
    out = run("ingest", "--stays", str(tmp / "city"), "--store", store)
    assert "Ingested 5 day(s)" in out  # four days and the spill past the last midnight
    assert "skipped 5 day(s)" in run("ingest", "--stays", str(tmp / "city"), "--store", store)

    case, start, end = cases[0]
    table = run(
        "find", "--store", store, "--case", str(case), "--from", iso(start), "--to", iso(end)
    )
    assert table.splitlines()[0].split()[:3] == ["case", "companion", "cell"]

    cases_file = tmp / "cases.csv"
    with cases_file.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["person_id", "window_start", "window_end"])
        writer.writerows([(p, iso(s), iso(e)) for p, s, e in cases])
    output = tmp / "companions.parquet"
    run(
        "find",
        "--store",
        store,
        "--cases-file",
        str(cases_file),
        "--format",
        "parquet",
        "--output",
        str(output),
    )
    # The default rule (30 h): compare with the reference on the same store.
    assert as_tuples(pq.read_table(output)) == reference(rows, cases, RULE)

    csv_out = run("find", "--store", store, "--cases-file", str(cases_file), "--format", "csv")
    assert csv_out.splitlines()[0].startswith("case_person_id,companion_person_id,cell_id")

    out = run("purge", "--store", store, "--retention-days", "2", "--as-of", "2021-09-07")
    assert "Deleted 3 day(s)" in out
    assert AuditEvent.objects.filter(action="tracing.companions.purge").count() == 1


def test_the_window_can_come_from_the_protocol(town) -> None:
    tmp, rows, _ = town
    store = str(tmp / "store")
    run(
        "ingest",
        "--stays",
        str(tmp / "city" / "stays"),
        "--store",
        store,
        "--merge-gap-minutes",
        "5",
    )
    out = run(
        "find",
        "--store",
        store,
        "--case",
        str(rows[0][0]),
        "--onset",
        "2021-09-05",
        "--isolated",
        "2021-09-06T12:00",
    )
    assert "case(s)" in out.splitlines()[-1]


def test_find_without_a_window_is_an_error(town) -> None:
    tmp, _, _ = town
    store = str(tmp / "store")
    run("ingest", "--stays", str(tmp / "city"), "--store", store)
    with pytest.raises(CommandError, match="--from and --to"):
        run("find", "--store", store, "--case", "1")


def test_ingest_keeps_as_many_lookback_windows_as_asked(town) -> None:
    tmp, _, _ = town
    store = tmp / "store"
    out = run("ingest", "--stays", str(tmp / "city"), "--store", str(store), "--windows", "2")
    assert "Built the lookback windows ending 2021-09-06, 2021-09-07" in out
    assert sorted(p.name for p in (store / "window").iterdir()) == [
        "end=2021-09-06",
        "end=2021-09-07",
    ]
    run("ingest", "--stays", str(tmp / "city"), "--store", str(store), "--windows", "0")
    assert list((store / "window").iterdir()) == []


def test_a_negative_number_of_windows_is_refused_before_anything_is_written(town) -> None:
    tmp, _, _ = town
    store = tmp / "store"
    with pytest.raises(CommandError, match="--windows -1"):
        run("ingest", "--stays", str(tmp / "city"), "--store", str(store), "--windows", "-1")
    assert not store.exists()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_full_disk_while_companions_are_written_leaves_no_partial_file(town, full_disk, fmt):
    """An export to a file: the disk fills while it is written; the command says so
    in words and no truncated file is left where the old one was."""
    from django.utils import translation

    tmp, _rows, cases = town
    store = str(tmp / "store")
    run("ingest", "--stays", str(tmp / "city"), "--store", store)
    case, start, end = cases[0]
    output = tmp / f"companions.{fmt}"
    full_disk(room=64)
    args = ["--case", str(case), "--from", iso(start), "--to", iso(end)]
    with translation.override("en"), pytest.raises(CommandError, match="The disk is full"):
        run("find", "--store", store, *args, "--format", fmt, "--output", str(output))
    assert not output.exists()
    assert not [p for p in tmp.iterdir() if p.name.endswith(".part")]
