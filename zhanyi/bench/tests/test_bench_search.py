"""``zhanyi bench search`` on a tiny synthetic city: it loads the city, runs both
forms of the search for both users, finds the same persons with each, and refuses
a database holding other persons."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from zhanyi.bench.search import NotABenchDatabase


@pytest.mark.slow
def test_the_search_bench_loads_a_city_and_compares_the_two_forms(transactional_db, tmp_path):
    out = StringIO()
    args = ["bench", "search", "--people", "3000", "--searches", "6", "--data-dir", str(tmp_path)]
    call_command(*args, stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["bench"] == "search" and figures["persons"] == 3000
    for scope in ("city", "county"):
        for form in ("naive", "indexed"):
            assert figures[f"{scope}_{form}"]["median_ms"] > 0
    # The city user's searches are for persons drawn from the index: each finds one at least.
    assert figures["city_matches_median"] >= 1
    # A second run reuses the city instead of loading it again.
    again = StringIO()
    call_command(*args, stdout=again)
    assert "set-up: city loaded" not in again.getvalue()


def test_the_search_bench_refuses_a_database_with_other_persons(transactional_db, tmp_path):
    from zhanyi.accounts.testing import build_world
    from zhanyi.people.tests.factories import make_person

    make_person(build_world().village)
    with pytest.raises(NotABenchDatabase, match="database of its own"):
        call_command(
            "bench", "search", "--people", "3000", "--data-dir", str(tmp_path), stdout=StringIO()
        )


def test_the_search_bench_refuses_no_searches_before_any_set_up(tmp_path):
    data_dir = tmp_path / "search"
    for n in ("0", "-3"):
        with pytest.raises(SystemExit, match=f"--searches must be 1 or more, not {n}"):
            call_command(
                "bench", "search", "--searches", n, "--data-dir", str(data_dir), stdout=StringIO()
            )
    assert not data_dir.exists()
