"""Ingest into the companion store: merging, malformed rows, days, purge, records, protocol."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from zhanyi.engine.companions import Store, ingest_file, ingest_stays, purge
from zhanyi.engine.companions.store import date_to_day_no
from zhanyi.engine.companions.testing import local_s, write_stays
from zhanyi.engine.grid import ZHANGZHOU
from zhanyi.engine.protocol import exposure_window, load_protocol

RULE = load_protocol("edition-8").companion
D0 = dt.date(2021, 9, 10)


def day(offset: int) -> dt.date:
    return D0 + dt.timedelta(days=offset)


def stays_of(store: Store, date: dt.date) -> list[tuple]:
    table = pq.read_table(store.file("stays", date))
    return [(r["person_id"], r["cell_id"], r["start_s"], r["end_s"]) for r in table.to_pylist()]


def ingest_rows(tmp_path: Path, rows: list[tuple], rule=RULE, **kwargs):
    write_stays(rows, tmp_path / "in", src_days=kwargs.pop("src_days", False))
    store = Store(tmp_path / "store")
    return store, ingest_stays(tmp_path / "in", store, rule, **kwargs)


def test_it_merges_touching_and_overlapping_stays_of_a_person_in_a_cell(tmp_path: Path) -> None:
    store, report = ingest_rows(
        tmp_path,
        [
            (1, 5, local_s(D0, 8), local_s(D0, 9)),
            (1, 5, local_s(D0, 9), local_s(D0, 10)),  # touching
            (1, 5, local_s(D0, 9, 30), local_s(D0, 9, 45)),  # inside
            (1, 6, local_s(D0, 10), local_s(D0, 11)),  # another cell
            (2, 5, local_s(D0, 10), local_s(D0, 11)),  # another person
        ],
    )
    assert report.stays == 3
    assert stays_of(store, D0) == [
        (1, 5, local_s(D0, 8), local_s(D0, 10)),
        (2, 5, local_s(D0, 10), local_s(D0, 11)),
        (1, 6, local_s(D0, 10), local_s(D0, 11)),
    ]


@pytest.mark.parametrize(("gap_minutes", "stays"), [(0, 2), (4, 2), (5, 1)])
def test_the_gap_tolerance_decides_what_merges(
    tmp_path: Path, gap_minutes: int, stays: int
) -> None:
    rule = dataclasses.replace(RULE, merge_gap_minutes=gap_minutes)
    _, report = ingest_rows(
        tmp_path,
        [(1, 5, local_s(D0, 8), local_s(D0, 9)), (1, 5, local_s(D0, 9, 5), local_s(D0, 10))],
        rule,
    )
    assert report.stays == stays


def test_store_files_are_sorted_by_cell_then_time(tmp_path: Path) -> None:
    rows = [(p, 100 - p % 7, local_s(D0, p % 20), local_s(D0, p % 20, 30)) for p in range(50)]
    store, _ = ingest_rows(tmp_path, rows)
    got = stays_of(store, D0)
    assert got == sorted(got, key=lambda r: (r[1], r[2], r[0]))
    person_cells = pq.read_table(store.file("person_cells", D0)).to_pylist()
    assert [r["person_id"] for r in person_cells] == sorted(r["person_id"] for r in person_cells)
    assert {r["dwell_s"] for r in person_cells} == {1800}


def test_malformed_rows_are_counted_by_kind_and_kept_aside(tmp_path: Path) -> None:
    d0 = date_to_day_no(D0)
    good = (d0, 1, 5, local_s(D0, 8), local_s(D0, 9))
    rows = [
        good,
        good,  # duplicate
        (d0, 2, -1, local_s(D0, 8), local_s(D0, 9)),  # unknown_cell
        (d0, 3, ZHANGZHOU.n_cells, local_s(D0, 8), local_s(D0, 9)),  # unknown_cell
        (d0, 4, 5, local_s(D0, 9), local_s(D0, 8)),  # end_before_start
        (d0, 5, 5, local_s(D0, 9), local_s(D0, 9)),  # zero_length
        (d0, 6, 5, local_s(day(1), 1), local_s(day(1), 2)),  # outside_day
        (d0, 8, None, local_s(D0, 8), local_s(D0, 9)),  # missing
    ]
    store, report = ingest_rows(tmp_path, rows, src_days=True)
    assert report.rejects == {
        "missing": 1,
        "unknown_cell": 2,
        "end_before_start": 1,
        "zero_length": 1,
        "outside_day": 1,
        "duplicate": 1,
    }
    assert report.rows == len(rows)
    assert stays_of(store, D0) == [(1, 5, local_s(D0, 8), local_s(D0, 9))]
    rejects = pq.read_table(store.file("rejects", D0)).to_pylist()
    assert sorted(r["person_id"] or 0 for r in rejects) == [1, 2, 3, 4, 5, 6, 8]
    assert store.manifest()["days"][D0.isoformat()]["rejects"]["unknown_cell"] == 2


def test_a_stay_longer_than_a_day_is_kept_and_cut_into_every_day(tmp_path: Path) -> None:
    # Two days at home: 08:00 on D0 until 14:00 on D0 + 2 (54 h). It was
    # refused whole as too long (over 24 h), losing the 30 hours the rule is
    # about; now each day keeps its piece, the day after next included.
    d0 = date_to_day_no(D0)
    rows = [(d0, 1, 5, local_s(D0, 8), local_s(day(2), 14))]
    store, report = ingest_rows(tmp_path, rows, src_days=True)
    assert report.rejects == {}
    assert stays_of(store, D0) == [(1, 5, local_s(D0, 8), local_s(day(1)))]
    assert stays_of(store, day(1)) == [(1, 5, local_s(day(1)), local_s(day(2)))]
    assert stays_of(store, day(2)) == [(1, 5, local_s(day(2)), local_s(day(2), 14))]


def test_a_stay_over_midnight_is_cut_into_both_days(tmp_path: Path) -> None:
    store, _ = ingest_rows(
        tmp_path,
        [
            (1, 5, local_s(D0, 23), local_s(day(1), 1)),
            (1, 5, local_s(day(1), 1), local_s(day(1), 2)),
        ],
    )
    assert stays_of(store, D0) == [(1, 5, local_s(D0, 23), local_s(day(1)))]
    # The part after midnight merges with the next day's touching stay.
    assert stays_of(store, day(1)) == [(1, 5, local_s(day(1)), local_s(day(1), 2))]


def test_ingest_is_incremental_by_day(tmp_path: Path) -> None:
    rows = [(1, 5, local_s(day(d), 8), local_s(day(d), 9)) for d in range(2)]
    store, first = ingest_rows(tmp_path, rows)
    assert [d.day for d in first.days] == [D0, day(1)]
    write_stays([(1, 5, local_s(day(2), 8), local_s(day(2), 9))], tmp_path / "in")
    again = ingest_stays(tmp_path / "in", store, RULE)
    assert [d.day for d in again.days] == [day(2)]
    assert again.skipped_days == [D0, day(1)]
    only = ingest_stays(tmp_path / "in", store, RULE, days=[D0], replace=True)
    assert [d.day for d in only.days] == [D0]
    assert store.days() == [D0, day(1), day(2)]


def test_a_day_built_from_yesterdays_spill_is_rebuilt_when_its_input_comes(tmp_path: Path) -> None:
    store, _ = ingest_rows(tmp_path, [(1, 5, local_s(D0, 23), local_s(day(1), 1))])
    assert store.days() == [D0, day(1)]
    write_stays([(2, 5, local_s(day(1), 8), local_s(day(1), 9))], tmp_path / "in")
    report = ingest_stays(tmp_path / "in", store, RULE)
    assert [d.day for d in report.days] == [day(1)]
    assert len(stays_of(store, day(1))) == 2


def test_purge_removes_days_past_the_retention_period(tmp_path: Path) -> None:
    rows = [(1, 5, local_s(day(d), 8), local_s(day(d), 9)) for d in range(5)]
    store, _ = ingest_rows(tmp_path, rows)
    assert purge(store, 3, as_of=day(4), dry_run=True) == [D0, day(1)]
    assert store.days() == [day(d) for d in range(5)]
    assert purge(store, 3, as_of=day(4)) == [D0, day(1)]
    assert store.days() == [day(2), day(3), day(4)]
    assert store.days("person_cells") == [day(2), day(3), day(4)]
    assert sorted(store.manifest()["days"]) == [day(d).isoformat() for d in (2, 3, 4)]


def test_location_records_become_stays(tmp_path: Path) -> None:
    # The centre of cell 1234.
    row, col = divmod(1234, ZHANGZHOU.n_cols)
    lon = ZHANGZHOU.min_lon + (col + 0.5) * ZHANGZHOU.cell_m / ZHANGZHOU.m_per_deg_lon
    lat = ZHANGZHOU.min_lat + (row + 0.5) * ZHANGZHOU.cell_m / ZHANGZHOU.m_per_deg_lat
    t = local_s(D0, 8)
    csv = tmp_path / "records.csv"
    lines = ["person_id,ts,cell_id,lon,lat"]

    def iso(s: int) -> str:
        return dt.datetime.fromtimestamp(s, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")

    lines += [
        f"1,{iso(t)},5,,",
        f"1,{iso(t + 1200)},5,,",
        f"1,{iso(t + 2400)},,{lon},{lat}",  # placed by lon/lat
        f"1,{iso(t + 3000)},5,,",  # last record: no duration
        f"1,{iso(t + 3000)},5,,",  # duplicate
        f"1,{iso(t + 1200)},6,,",  # conflict with cell 5 at the same time
        f"2,{iso(t)},,0.0,0.0",  # outside the grid
        f"2,{iso(t + 60)},,,",  # missing
        f"3,{iso(t)},7,,",
        f"3,{iso(t + 7200)},7,,",  # 2 h later: too long a gap
    ]
    csv.write_text("\n".join(lines) + "\n")
    store = Store(tmp_path / "store")
    report = ingest_file(csv, store, RULE)
    assert report.rejects == {
        "missing": 1,
        "unknown_cell": 1,
        "duplicate": 1,
        "conflict": 1,
        "no_duration": 3,
    }
    assert stays_of(store, D0) == [(1, 5, t, t + 2400), (1, 1234, t + 2400, t + 3000)]
    kinds = sorted(r["kind"] for r in pq.read_table(store.file("rejects", D0)).to_pylist())
    assert kinds == sorted(
        ["missing", "unknown_cell", "duplicate", "conflict"] + ["no_duration"] * 3
    )


def test_a_flat_stays_file_is_ingested_by_day(tmp_path: Path) -> None:
    import pyarrow as pa

    from zhanyi.engine.schema import STAYS

    ts = pa.timestamp("s")
    table = pa.table(
        {
            "person_id": pa.array([1, 2], pa.int64()),
            "cell_id": pa.array([5, 5], pa.int32()),
            "start": pa.array([local_s(D0, 8), local_s(day(1), 8)]).cast(ts).cast(STAYS[2].type),
            "end": pa.array([local_s(D0, 9), local_s(day(1), 9)]).cast(ts).cast(STAYS[3].type),
        }
    )
    pq.write_table(table, tmp_path / "flat.parquet")
    store = Store(tmp_path / "store")
    report = ingest_file(tmp_path / "flat.parquet", store, RULE)
    assert report.stays == 2
    assert store.days() == [D0, day(1)]


def test_the_protocol_file_carries_the_companion_rule() -> None:
    protocol = load_protocol("edition-8")
    rule = protocol.companion
    assert (rule.cell_size_m, rule.min_overlap_minutes, rule.lookback_days, rule.dwell_hours) == (
        800,
        10,
        14,
        30,
    )
    assert (rule.tests_required, rule.tests_within_days, rule.tests_min_gap_hours) == (2, 3, 24)
    assert rule.retention_days == 21
    assert protocol.exposure.days_before == 2
    assert protocol.info.edition == 8
    assert rule.cell_size_m == ZHANGZHOU.cell_m


def test_a_misspelt_protocol_key_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[protocol]\nname = "x"\nedition = 1\neffective_date = 2021-01-01\n'
        "[companion]\ndwell_hour = 30\n"
    )
    with pytest.raises(ValueError, match="dwell_hour"):
        load_protocol(path)


def test_the_exposure_window_starts_two_local_days_before_onset() -> None:
    from zoneinfo import ZoneInfo

    rule = load_protocol("edition-8").exposure
    isolated = dt.datetime(2021, 9, 12, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    start, end = exposure_window(rule, isolated, onset_date=dt.date(2021, 9, 11))
    assert start == dt.datetime(2021, 9, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert end == isolated
    start, _ = exposure_window(rule, isolated, sampling_date=dt.date(2021, 9, 12))
    assert start == dt.datetime(2021, 9, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    with pytest.raises(ValueError):
        exposure_window(rule, isolated)
