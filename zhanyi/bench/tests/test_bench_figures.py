"""``zhanyi bench figures`` on the test world: it runs, every figure is computed
once by readers arriving together, and a read-only run refuses the database cache."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings


def test_the_figures_bench_reads_the_test_world_and_prints_its_figures(transactional_db):
    from zhanyi.accounts.testing import build_world

    build_world()
    out = StringIO()
    call_command("bench", "figures", "--readers", "1", "--repeat", "2", stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["bench"] == "figures"
    assert figures["area"] == "350600"
    assert figures["computations"] == figures["figures"] > 10
    assert figures["cold_s"] >= 0 and figures["readers_uncached_s"] >= 0


def test_a_read_only_run_refuses_the_database_cache(db):
    backend = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "t"}
    with (
        override_settings(CACHES={"default": backend}),
        pytest.raises(SystemExit, match="REDIS_URL"),
    ):
        call_command("bench", "figures", "--read-only", stdout=StringIO())


def test_bad_counts_are_refused_before_any_session_is_made_read_only(db):
    from django.db.backends.signals import connection_created

    from zhanyi.bench.figures import _read_only_session

    outside_the_database = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    with (
        override_settings(CACHES={"default": outside_the_database}),
        pytest.raises(SystemExit, match="--readers and --repeat must be 1 or more"),
    ):
        call_command("bench", "figures", "--read-only", "--readers", "0", stdout=StringIO())
    # Not left connected: this process's next sessions may still write.
    assert not connection_created.disconnect(_read_only_session)
