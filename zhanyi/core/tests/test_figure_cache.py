"""The figures the dashboards share (zhanyi.core.figure_cache), on the cache
the tests run with (in-process) and on the shared backends a site runs with:
the database cache and Redis, each over its own connections per reader."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings

from zhanyi.core import figure_cache, metrics
from zhanyi.core.db import dialect
from zhanyi.core.processes_testing import production_env

REDIS_URL = os.environ.get("ZHANYI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            raise AssertionError(f"Redis is required when CI=true: {REDIS_URL}: {error}") from None
        pytest.skip(f"no Redis at {REDIS_URL}")


@pytest.fixture
def redis_cache():
    """The default cache in Redis, under a prefix of this test's own."""
    _redis_or_skip()
    import redis

    prefix = f"zhanyi-test-{uuid.uuid4().hex}"
    backend = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": prefix,
    }
    with override_settings(CACHES={"default": backend}):
        yield
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def drop_table(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")


@pytest.fixture
def database_cache(transactional_db):
    """The default cache in a database table, as a site without Redis runs;
    committed, so that every reader's own connection sees it."""
    table = f"zhanyi_cache_test_{uuid.uuid4().hex[:8]}"
    backend = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": table}
    with override_settings(CACHES={"default": backend}):
        call_command("createcachetable", verbosity=0)
        try:
            yield
        finally:
            drop_table(table)


@pytest.fixture(params=["locmem", "database", "redis"])
def backend(request):
    """Each test below runs on the in-process cache the tests use by default,
    then on the two shared ones."""
    if request.param != "locmem":
        request.getfixturevalue(f"{request.param}_cache")
    return request.param


def threads_share_the_database() -> bool:
    """SQLite's in-memory test database locks whole tables between the
    connections of two threads: concurrent readers are tested on PostgreSQL."""
    return not (dialect.is_sqlite() and connection.is_in_memory_db())


class Counting:
    """A figure's function that counts its computations and, when ``gate`` is
    given, holds each of them until the gate opens."""

    def __init__(self, value=7, gate: threading.Event | None = None):
        self.value = value
        self.gate = gate
        self.calls = 0
        self.started = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, area):
        with self._lock:
            self.calls += 1
        self.started.set()
        if self.gate is not None:
            assert self.gate.wait(30), "the test never opened the gate"
        return self.value


def a_figure(fn, name="test.figure") -> metrics.Figure:
    return metrics.Figure(name, name, "", fn, 0)


def entry_key(figure, area=None) -> str:
    return figure_cache.key(figure.name, area)


def test_a_warm_value_is_shown_without_computing_it_again(backend):
    fn = Counting()
    figure = a_figure(fn)
    first = figure_cache.values([figure], None)
    second = figure_cache.values([figure], None)
    assert first == second
    assert first["test.figure"][0] == 7
    assert fn.calls == 1


def test_a_value_older_than_the_lifetime_is_computed_again(backend):
    fn = Counting(value=8)
    figure = a_figure(fn)
    caches["default"].set(entry_key(figure), (5, time.time() - 31), 600)
    with override_settings(FIGURE_CACHE_SECONDS=30):
        (value, started) = figure_cache.values([figure], None)["test.figure"]
    assert (value, fn.calls) == (8, 1)
    assert time.time() - started < 5


def test_fresh_computes_a_warm_value_again(backend):
    fn = Counting()
    figure = a_figure(fn)
    figure_cache.values([figure], None)
    fn.value = 9
    assert figure_cache.values([figure], None, fresh=True)["test.figure"][0] == 9
    assert fn.calls == 2


def test_zero_seconds_turns_the_cache_off(backend):
    fn = Counting()
    figure = a_figure(fn)
    with override_settings(FIGURE_CACHE_SECONDS=0):
        figure_cache.values([figure], None)
        figure_cache.values([figure], None)
    assert fn.calls == 2
    assert caches["default"].get(entry_key(figure)) is None


def test_each_area_has_its_own_value(world):
    figure = a_figure(lambda area: len(area.path) if area else 0)
    city = figure_cache.values([figure], world.city)["test.figure"][0]
    township = figure_cache.values([figure], world.township)["test.figure"][0]
    assert (city, township) == (len(world.city.path), len(world.township.path))
    assert entry_key(figure, world.city) != entry_key(figure, world.township)
    assert entry_key(figure, None).endswith(":*")


def test_while_another_reader_computes_the_last_value_stands_in(backend):
    fn = Counting(value=8)
    figure = a_figure(fn)
    cache = caches["default"]
    stale = (5, time.time() - 600)
    cache.set(entry_key(figure), stale, 600)
    cache.add(entry_key(figure) + ":lock", "another reader", 60)
    assert figure_cache.values([figure], None)["test.figure"] == stale
    assert fn.calls == 0


def test_a_reader_of_a_cold_cache_waits_for_the_one_computing():
    fn = Counting()
    figure = a_figure(fn)
    cache = caches["default"]
    lock = entry_key(figure) + ":lock"
    cache.add(lock, "another reader", 60)
    got = {}
    reader = threading.Thread(target=lambda: got.update(figure_cache.values([figure], None)))
    reader.start()
    time.sleep(0.2)
    assert reader.is_alive(), "the reader did not wait"
    theirs = (42, time.time())
    cache.set(entry_key(figure), theirs, 60)
    cache.delete(lock)
    reader.join(10)
    assert got["test.figure"] == theirs
    assert fn.calls == 0


def test_a_dead_readers_lock_expires_and_another_computes(backend):
    fn = Counting()
    figure = a_figure(fn)
    caches["default"].add(entry_key(figure) + ":lock", "a reader that died", 1)
    assert figure_cache.values([figure], None)["test.figure"][0] == 7
    assert fn.calls == 1


def test_a_failed_computation_leaves_no_lock_behind(backend):
    def broken(area):
        raise RuntimeError("the database went away")

    figure = a_figure(broken)
    with pytest.raises(RuntimeError):
        figure_cache.values([figure], None)
    assert caches["default"].get(entry_key(figure) + ":lock") is None


def _readers(count: int, read) -> list:
    """Run ``read()`` in ``count`` threads at once, each with its own
    connections (as separate server processes have); their results."""
    results: list = [None] * count
    errors: list = []
    ready = threading.Barrier(count)

    def reader(i: int) -> None:
        try:
            ready.wait(10)
            results[i] = read()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    return threads, results, errors


def _join(threads, errors) -> None:
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)


@pytest.mark.parametrize("shared", ["database_cache", "redis_cache"])
def test_ten_readers_of_a_cold_cache_compute_each_figure_once(shared, request, transactional_db):
    request.getfixturevalue(shared)
    if shared == "database_cache" and not threads_share_the_database():
        pytest.skip("concurrent readers of the database cache are tested on PostgreSQL")
    gate = threading.Event()
    fns = [Counting(value=i, gate=gate) for i in range(3)]
    figures = [a_figure(fn, f"test.figure{i}") for i, fn in enumerate(fns)]
    threads, results, errors = _readers(10, lambda: figure_cache.values(figures, None))
    # Let every reader reach the cache while the first computations are held.
    for fn in fns:
        assert fn.started.wait(10)
    time.sleep(0.3)
    gate.set()
    _join(threads, errors)
    assert [fn.calls for fn in fns] == [1, 1, 1]
    assert all(r == results[0] for r in results)
    assert [results[0][f.name][0] for f in figures] == [0, 1, 2]


@pytest.mark.parametrize("shared", ["database_cache", "redis_cache"])
def test_readers_pressing_refresh_together_cost_at_most_two_computations(
    shared, request, transactional_db
):
    request.getfixturevalue(shared)
    if shared == "database_cache" and not threads_share_the_database():
        pytest.skip("concurrent readers of the database cache are tested on PostgreSQL")
    gate = threading.Event()
    fn = Counting(gate=gate)
    figure = a_figure(fn)
    gate.set()
    figure_cache.values([figure], None)  # a warm value, which a refresh must not take
    gate.clear()
    asked = time.time()
    threads, results, errors = _readers(8, lambda: figure_cache.values([figure], None, fresh=True))
    time.sleep(0.3)
    gate.set()
    _join(threads, errors)
    assert 2 <= fn.calls <= 3  # the warm-up, then one or two
    assert all(r["test.figure"][1] >= asked for r in results)


def test_migrate_creates_the_database_caches_table(transactional_db):
    table = f"zhanyi_cache_test_{uuid.uuid4().hex[:8]}"
    backend = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": table}
    with override_settings(CACHES={"default": backend}):
        call_command("migrate", verbosity=0, interactive=False)
        try:
            assert table in connection.introspection.table_names()
            caches["default"].set("k", 1)
            assert caches["default"].get("k") == 1
        finally:
            drop_table(table)


def test_a_production_migrate_creates_the_cache_table(production_migrated):
    done = production_migrated.migrate
    assert done.returncode == 0, done.stderr[-2000:]
    with sqlite3.connect(production_migrated.database) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "zhanyi_cache" in tables


def test_a_bad_figure_cache_lifetime_refuses_to_start_saying_which_setting(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "zhanyi.cli", "check"],
        env=production_env(tmp_path, ZHANYI_FIGURE_CACHE_SECONDS="half a minute"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "ZHANYI_FIGURE_CACHE_SECONDS" in done.stderr
    assert "'half a minute'" in done.stderr
