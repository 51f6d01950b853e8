"""The Spark backend gives the DuckDB backend's and the reference's answers.

Few and small: starting Spark costs seconds, so one session serves the module.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from zhanyi.engine.companions import Store, find_companions, ingest_stays
from zhanyi.engine.companions.testing import (
    as_tuples,
    cases_for,
    cases_table,
    random_stays,
    write_stays,
)
from zhanyi.engine.tests.test_companions import CASES, RULE, edge_rows, reference

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark")
    from zhanyi.engine.backends import get_backend

    backend = get_backend("spark", threads=2, memory="1g")
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def edge_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    tmp = tmp_path_factory.mktemp("spark-edges")
    write_stays(edge_rows(), tmp / "in")
    store = Store(tmp / "store")
    ingest_stays(tmp / "in", store, RULE)
    return store


def test_spark_agrees_on_the_edge_cases(spark, edge_store: Store) -> None:
    on_spark = find_companions(edge_store, cases_table(CASES), RULE, spark)
    on_duckdb = find_companions(edge_store, cases_table(CASES), RULE, "duckdb")
    assert on_spark.equals(on_duckdb)
    assert as_tuples(on_spark) == reference(edge_rows(), CASES)


def test_spark_agrees_on_a_generated_town(spark, tmp_path: Path) -> None:
    rule = dataclasses.replace(RULE, dwell_hours=7, merge_gap_minutes=5)
    rows = random_stays(5)
    write_stays(rows, tmp_path / "in")
    store = Store(tmp_path / "store")
    ingest_stays(tmp_path / "in", store, rule)
    cases = cases_for(rows, 5, n=5)
    on_spark = find_companions(store, cases_table(cases), rule, spark)
    assert on_spark.equals(find_companions(store, cases_table(cases), rule, "duckdb"))
    assert as_tuples(on_spark) == reference(rows, cases, rule)
    assert on_spark.num_rows > 10


def test_spark_returns_nothing_for_a_case_without_stays(spark, edge_store: Store) -> None:
    result = find_companions(edge_store, cases_table([CASES[2]]), RULE, spark)
    assert result.num_rows == 0


def test_spark_reads_windows_and_daily_files_alike(spark, tmp_path: Path) -> None:
    rule = dataclasses.replace(RULE, dwell_hours=6, lookback_days=4)
    rows = random_stays(6)
    write_stays(rows, tmp_path / "in")
    cases = cases_for(rows, 6, n=5)
    want = reference(rows, cases, rule)
    assert len(want) > 10
    for keep in (0, 30):  # daily files only; a window for every case
        store = Store(tmp_path / f"store-{keep}")
        ingest_stays(tmp_path / "in", store, rule, windows=keep)
        assert as_tuples(find_companions(store, cases_table(cases), rule, spark)) == want
