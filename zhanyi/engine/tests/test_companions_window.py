"""Windows: the compacted lookback dwell gives the daily files' answers, and never a stale one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from zhanyi.engine.companions import Store, find_companions, ingest_stays, purge
from zhanyi.engine.companions.store import date_to_day_no
from zhanyi.engine.companions.testing import (
    FIRST_DAY,
    as_tuples,
    cases_for,
    cases_table,
    local_s,
    random_stays,
    write_stays,
)
from zhanyi.engine.companions.window import valid_window
from zhanyi.engine.tests.test_companions import RULE, reference

DAYS = 6
LAST = FIRST_DAY + dt.timedelta(days=DAYS - 1)


def town(tmp_path: Path, seed: int, rule=RULE, **kwargs) -> tuple[list[tuple], Store]:
    rows = random_stays(seed, days=DAYS)
    write_stays(rows, tmp_path / "in")
    store = Store(tmp_path / "store")
    ingest_stays(tmp_path / "in", store, rule, **kwargs)
    return rows, store


def test_ingest_keeps_the_windows_of_the_latest_days_only(tmp_path: Path) -> None:
    _, store = town(tmp_path, 0, windows=3)
    days = store.days()
    assert store.windows() == days[-3:]
    ingest_stays(tmp_path / "in", store, RULE, windows=1)
    assert store.windows() == days[-1:]
    ingest_stays(tmp_path / "in", store, RULE, windows=0)
    assert store.windows() == []


def test_a_window_holds_each_persons_lookback_dwell_and_days(tmp_path: Path) -> None:
    rule = dataclasses.replace(RULE, lookback_days=3)
    _, store = town(tmp_path, 1, rule, windows=1)
    (end,) = store.windows()
    end_no = date_to_day_no(end)
    want: dict[tuple[int, int], list[int]] = {}
    for back in range(3):
        path = store.file("dwell", end - dt.timedelta(days=back))
        for r in pq.read_table(path).to_pylist():
            got = want.setdefault((r["cell_id"], r["person_id"]), [0, 0])
            got[0] += r["dwell_s"]
            got[1] |= 1 << (end_no - r["day_no"])
    window = pq.read_table(store.window_file(end, "cells")).to_pylist()
    assert {(r["cell_id"], r["person_id"]): [r["dwell_s"], r["day_bits"]] for r in window} == want
    keys = [(r["cell_id"], r["person_id"]) for r in window]
    assert keys == sorted(keys)
    persons = pq.read_table(store.window_file(end, "persons")).to_pylist()
    assert [(r["person_id"], r["cell_id"]) for r in persons] == sorted((p, c) for c, p in want)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_windows_and_daily_files_give_the_reference_answer(seed: int, tmp_path: Path) -> None:
    rule = dataclasses.replace(RULE, dwell_hours=6 + seed, lookback_days=4)
    rows = random_stays(seed, days=DAYS)
    write_stays(rows, tmp_path / "in")
    cases = cases_for(rows, seed, n=6)
    # Cases whose lookback ends on the last day too, the usual case for a window.
    case_persons = {person for person, _, _ in cases}
    cases += [(p, local_s(LAST, 6), local_s(LAST, 20)) for p in (41, 42) if p not in case_persons]
    want = reference(rows, cases, rule)
    assert len(want) > 10
    answers = {}
    for keep in (0, 2, 30):  # daily files only, a mixture, a window for every case
        store = Store(tmp_path / f"store-{keep}")
        ingest_stays(tmp_path / "in", store, rule, windows=keep)
        assert len(store.windows()) == min(keep, len(store.days()))
        answers[keep] = as_tuples(find_companions(store, cases_table(cases), rule))
    assert answers[0] == want
    assert answers[2] == want
    assert answers[30] == want


def test_a_stale_window_is_ignored_and_the_daily_files_answer(tmp_path: Path) -> None:
    rule = dataclasses.replace(RULE, dwell_hours=6)
    rows, store = town(tmp_path, 3, rule, windows=3)
    end = store.windows()[-1]
    kept = tmp_path / "old-window"
    shutil.copytree(store.window_dir(end), kept)
    # The last day changes: a newcomer spends the afternoon beside a case.
    case = rows[-1][0]
    start = local_s(LAST, 12)
    extra = [(case, 3, start, start + 4 * 3600), (77, 3, start, start + 7 * 3600)]
    write_stays(rows + extra, tmp_path / "in")
    ingest_stays(tmp_path / "in", store, rule, days=[LAST], replace=True, windows=3)
    # As if ingest had stopped after the day and before its windows.
    shutil.rmtree(store.window_dir(end))
    shutil.copytree(kept, store.window_dir(end))
    assert not valid_window(store, end, rule.lookback_days, store.manifest())
    cases = [(case, local_s(LAST, 0), local_s(LAST, 23))]
    got = as_tuples(find_companions(store, cases_table(cases), rule))
    assert got == reference(rows + extra, cases, rule)
    assert any(r[1] == 77 for r in got)


def test_purge_removes_windows_that_reach_past_the_retention_period(tmp_path: Path) -> None:
    rule = dataclasses.replace(RULE, lookback_days=2)
    _, store = town(tmp_path, 4, rule, windows=30)
    days = store.days()
    purge(store, 3, as_of=days[-1])
    # The windows left sum only days still kept.
    assert store.windows() == days[-2:]


def test_a_lookback_too_long_for_day_bits_goes_without_windows(tmp_path: Path) -> None:
    rule = dataclasses.replace(RULE, lookback_days=70, dwell_hours=6)
    rows, store = town(tmp_path, 5, rule, windows=3)
    assert store.windows() == []
    cases = cases_for(rows, 5, n=3)
    assert as_tuples(find_companions(store, cases_table(cases), rule)) == reference(
        rows, cases, rule
    )
