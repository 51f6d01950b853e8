"""The companion query on DuckDB agrees with the brute-force reference and the rule's edges."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from zhanyi.engine.companions import Store, find_companions, ingest_stays
from zhanyi.engine.companions.reference import reference_companions
from zhanyi.engine.companions.testing import (
    as_tuples,
    cases_for,
    cases_table,
    local_s,
    random_stays,
    start_day_no,
    write_stays,
)
from zhanyi.engine.grid import ZHANGZHOU
from zhanyi.engine.protocol import load_protocol

RULE = load_protocol("edition-8").companion
D0 = dt.date(2021, 9, 10)
CASE, CASE_OVER_MIDNIGHT, CASE_WITHOUT_STAYS = 1, 50, 999


def day(offset: int) -> dt.date:
    return D0 + dt.timedelta(days=offset)


def hours_in(person: int, cell: int, total_h: float, last_day: int = -2) -> list[tuple]:
    """Stays adding up to ``total_h`` hours in a cell, 10 h a day, on days before D0."""
    rows, left, d = [], int(total_h * 3600), last_day
    while left > 0:
        chunk = min(left, 10 * 3600)
        rows.append((person, cell, local_s(day(d), 8), local_s(day(d), 8) + chunk))
        left -= chunk
        d -= 1
    return rows


def edge_rows() -> list[tuple]:
    rows = []
    # Cells 10-12: the case has 30 h there before its window; on D0 it spends
    # 10:00-11:00 in each, and one other person arrives at a telling moment.
    for cell in (10, 11, 12):
        rows += hours_in(CASE, cell, 30)
        rows.append((CASE, cell, local_s(D0, 10), local_s(D0, 11)))
    rows.append((2, 10, local_s(D0, 11), local_s(D0, 12)))  # touching: no overlap
    rows.append((3, 11, local_s(D0, 10, 50), local_s(D0, 12)))  # exactly 10 min: not
    rows.append((4, 12, local_s(D0, 10, 49, 59), local_s(D0, 12)))  # 10 min 1 s: companion
    # Cell 20: the case passes by for an hour; 5 lived there exactly 30 h, 6 one second less.
    rows.append((CASE, 20, local_s(D0, 14), local_s(D0, 15)))
    rows += [*hours_in(5, 20, 29), (5, 20, local_s(D0, 14, 30), local_s(D0, 15, 30))]
    rows += [*hours_in(6, 20, 29), (6, 20, local_s(D0, 14, 30), local_s(D0, 15, 30) - 1)]
    # Cells 21/22: the case itself has exactly 30 h (qualifies) / 30 h - 1 s (does not).
    rows += [*hours_in(CASE, 21, 29), (CASE, 21, local_s(D0, 16), local_s(D0, 17))]
    rows += [*hours_in(CASE, 22, 29), (CASE, 22, local_s(D0, 16), local_s(D0, 17) - 1)]
    rows.append((7, 21, local_s(D0, 16, 20), local_s(D0, 16, 40)))
    rows.append((8, 22, local_s(D0, 16, 20), local_s(D0, 16, 40)))
    # Cell 30, midnight: the case's window ends at midnight in the middle of
    # both stays; the other case's window runs on, so its period spans midnight.
    rows += hours_in(9, 30, 30)
    rows.append((CASE, 30, local_s(D0, 23), local_s(day(1), 1)))
    rows.append((CASE_OVER_MIDNIGHT, 30, local_s(D0, 23, 15), local_s(day(1), 0, 45)))
    rows.append((9, 30, local_s(D0, 23, 30), local_s(day(1), 0, 30)))
    # Cell 40: 10 of person 10's 31 hours fall on the 15th day back, outside the lookback.
    rows += [*hours_in(10, 40, 20), (10, 40, local_s(day(-14), 8), local_s(day(-14), 18))]
    rows.append((CASE, 40, local_s(D0, 18), local_s(D0, 19)))
    rows.append((10, 40, local_s(D0, 18), local_s(D0, 19)))
    return rows


CASES = [
    (CASE, local_s(D0), local_s(day(1))),
    (CASE_OVER_MIDNIGHT, local_s(D0, 12), local_s(day(2))),
    (CASE_WITHOUT_STAYS, local_s(D0), local_s(day(1))),
]


@pytest.fixture(scope="module")
def edge_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    tmp = tmp_path_factory.mktemp("edges")
    write_stays(edge_rows(), tmp / "in")
    store = Store(tmp / "store")
    ingest_stays(tmp / "in", store, RULE)
    return store


def reference(rows: list[tuple], cases: list[tuple], rule=RULE) -> list[tuple]:
    src = [(start_day_no(r[2]), *r) for r in rows]
    return [
        dataclasses.astuple(c) for c in reference_companions(src, cases, rule, ZHANGZHOU.n_cells)
    ]


def pairs(result: list[tuple]) -> set[tuple[int, int, int]]:
    return {(r[0], r[1], r[2]) for r in result}


def test_edge_cases_follow_the_rule(edge_store: Store) -> None:
    got = as_tuples(find_companions(edge_store, cases_table(CASES), RULE))
    assert pairs(got) == {
        (CASE, 4, 12),  # 10 min 1 s with a case that has 30 h there
        (CASE, 5, 20),  # the companion has exactly 30 h
        (CASE, 7, 21),  # the case has exactly 30 h
        (CASE, 9, 30),  # midnight, clipped at the window's end
        (CASE_OVER_MIDNIGHT, 9, 30),  # the same stays, one period over midnight
    }
    by_pair = {(r[0], r[1], r[2]): r for r in got}
    assert by_pair[(CASE, 4, 12)][3] == 601
    assert by_pair[(CASE, 9, 30)][3] == 30 * 60
    assert by_pair[(CASE, 9, 30)][4] == ((local_s(D0, 23, 30), local_s(day(1))),)
    # The stay cut at midnight in the store comes back as one period.
    assert by_pair[(CASE_OVER_MIDNIGHT, 9, 30)][4] == (
        (local_s(D0, 23, 30), local_s(day(1), 0, 30)),
    )
    assert by_pair[(CASE_OVER_MIDNIGHT, 9, 30)][3] == 60 * 60


def test_edge_cases_match_the_reference(edge_store: Store) -> None:
    got = as_tuples(find_companions(edge_store, cases_table(CASES), RULE))
    assert got == reference(edge_rows(), CASES)


def test_evidence_says_who_met_the_dwell_rule(edge_store: Store) -> None:
    result = find_companions(edge_store, cases_table(CASES), RULE).to_pylist()
    met = {
        (r["companion_person_id"], r["cell_id"]): r["dwell_rule_met_by"]
        for r in result
        if r["case_person_id"] == CASE
    }
    assert met[(4, 12)] == "case"
    assert met[(5, 20)] == "companion"
    assert met[(9, 30)] == "companion"
    row = next(r for r in result if r["companion_person_id"] == 5)
    assert row["companion_dwell_s"] == 30 * 3600
    assert row["overlap_minutes"] == pytest.approx(30.0)


def test_a_case_with_no_stays_has_no_companions(edge_store: Store) -> None:
    result = find_companions(edge_store, cases_table([CASES[2]]), RULE)
    assert result.num_rows == 0
    assert result.schema.names[0] == "case_person_id"


def test_the_case_is_never_its_own_companion(edge_store: Store) -> None:
    result = find_companions(edge_store, cases_table(CASES), RULE).to_pylist()
    assert all(r["case_person_id"] != r["companion_person_id"] for r in result)


def test_one_case_at_a_time_gives_the_same_rows_as_all_at_once(edge_store: Store) -> None:
    together = as_tuples(find_companions(edge_store, cases_table(CASES), RULE))
    alone = [
        row
        for case in CASES
        for row in as_tuples(find_companions(edge_store, cases_table([case]), RULE))
    ]
    assert together == alone


def test_a_window_longer_than_the_lookback_is_clipped_to_it(edge_store: Store) -> None:
    long = [(CASE, local_s(day(-30)), local_s(day(1)))]
    assert as_tuples(find_companions(edge_store, cases_table(long), RULE)) == reference(
        edge_rows(), long
    )


def test_bad_case_windows_are_refused(edge_store: Store) -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        find_companions(edge_store, cases_table([(CASE, local_s(D0, 2), local_s(D0, 1))]), RULE)
    with pytest.raises(ValueError, match="twice"):
        find_companions(edge_store, cases_table([CASES[0], CASES[0]]), RULE)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_generated_town_matches_the_reference(seed: int, tmp_path: Path) -> None:
    # A lower dwell threshold and a merge gap make every branch of the rule
    # happen in a six-day town; the thresholds are parameters anyway.
    rule = dataclasses.replace(RULE, dwell_hours=6 + seed, merge_gap_minutes=5 * (seed % 2))
    rows = random_stays(seed)
    write_stays(rows, tmp_path / "in")
    store = Store(tmp_path / "store")
    ingest_stays(tmp_path / "in", store, rule)
    cases = cases_for(rows, seed, n=5)
    got = as_tuples(find_companions(store, cases_table(cases), rule))
    want = reference(rows, cases, rule)
    assert len(want) > 10
    assert got == want


def test_results_are_sorted_and_repeatable(tmp_path: Path) -> None:
    rule = dataclasses.replace(RULE, dwell_hours=6)
    rows = random_stays(11)
    write_stays(rows, tmp_path / "in")
    store = Store(tmp_path / "store")
    ingest_stays(tmp_path / "in", store, rule)
    cases = cases_for(rows, 11, n=6)
    first = find_companions(store, cases_table(cases), rule)
    again = find_companions(store, cases_table(list(reversed(cases))), rule)
    assert first.equals(again)
    keys = [(r[0], r[1], r[2]) for r in as_tuples(first)]
    assert keys == sorted(keys)
    for row in first.to_pylist():
        starts = [p["start"] for p in row["periods"]]
        assert starts == sorted(starts)


def test_the_overlap_reading_is_the_protocols_and_each_row_names_it(tmp_path: Path) -> None:
    # The case has 30 h in cell 60 over the days before its window; person 61
    # was there with it for 20 minutes three days before the window, within
    # the 14 days. "Within the last 14 days" (the 8th-edition file's reading)
    # makes 61 a companion; the exposure-window reading does not.
    rows = [*hours_in(CASE, 60, 30), (61, 60, local_s(day(-2), 9), local_s(day(-2), 9, 20))]
    # 20 minutes on the 15th day back, outside the lookback: not counted either way.
    rows.append((62, 60, local_s(day(-14), 8), local_s(day(-14), 8, 20)))
    write_stays(rows, tmp_path / "in")
    store = Store(tmp_path / "store")
    ingest_stays(tmp_path / "in", store, RULE)
    cases = [(CASE, local_s(D0), local_s(day(1)))]
    assert RULE.overlap_within == "lookback"
    got = find_companions(store, cases_table(cases), RULE).to_pylist()
    assert [(r["companion_person_id"], r["overlap_s"]) for r in got] == [(61, 20 * 60)]
    assert {r["overlap_within"] for r in got} == {"lookback"}
    assert as_tuples(find_companions(store, cases_table(cases), RULE)) == reference(rows, cases)
    window_only = dataclasses.replace(RULE, overlap_within="exposure_window")
    assert find_companions(store, cases_table(cases), window_only).num_rows == 0
    assert reference(rows, cases, window_only) == []
