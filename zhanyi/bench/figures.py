"""Dashboard figures (数出一门): computed cold, from the shared cache, and by many readers at once.

``zhanyi bench figures`` reads the database as it is (it builds nothing: run
it on what another bench or the demo left) and times every registered figure
for one area (``--area CODE``; default the city) the way the dashboards read
them (``metrics.shown`` through ``zhanyi.core.figure_cache``, on the cache the
settings give: Redis with ``REDIS_URL``, else the database table):

* ``report_s``: ``metrics.compute``, as the twice-daily report does (no cache);
* ``cold_s``: one reader on an empty figure cache (it computes and stores);
* ``warm_s``: the median of ``--repeat`` readers on the warm cache;
* ``fresh_s``: one reader asking for the figures computed now (``?fresh=1``);
* ``readers_cold_s``: ``--readers`` readers arriving together on an empty
  cache, each with its own connections, until the last has every figure, and
  ``computations``: how many times figures were computed meanwhile (one per
  figure when no reader computes another's);
* ``readers_uncached_s``: the same readers with the cache off (before it).

``--read-only`` makes every database session read-only (to measure on a
database that must not be written to) and then needs ``REDIS_URL``, as the
database cache would write. The last line is one JSON object of figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import threading
import time
from collections import Counter
from typing import TextIO

from django.conf import settings
from django.db import connection, connections
from django.db.backends.signals import connection_created
from django.test.utils import override_settings

from zhanyi.bench.city import say
from zhanyi.core import figure_cache, metrics
from zhanyi.core.db import dialect
from zhanyi.places.models import Area, AreaLevel


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--area", default="", help="area code (default: the city)")
    parser.add_argument("--readers", type=int, default=8, help="readers arriving together")
    parser.add_argument("--repeat", type=int, default=5, help="warm reads to take the median of")
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="read-only database sessions (needs REDIS_URL for the cache)",
    )
    parser.add_argument(
        "--no-uncached", action="store_true", help="skip the readers without the cache"
    )


def _read_only_session(sender, connection, **kwargs) -> None:
    if dialect.supported(connection):
        dialect.read_only_session(connection)


class Counted:
    """The figures, each computation counted and timed (figure_cache.values is
    given these in place of the registered ones: same names, same keys)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.figures = [
            dataclasses.replace(f, fn=self._counting(f.name, f.fn)) for f in metrics.registered()
        ]

    def _counting(self, name, fn):
        def counted(area):
            started = time.perf_counter()
            try:
                return fn(area)
            finally:
                with self._lock:
                    self.calls[name] += 1
                    self.seconds[name] += time.perf_counter() - started

        return counted

    def reset(self) -> None:
        self.calls.clear()
        self.seconds.clear()


def _timed(read) -> float:
    started = time.perf_counter()
    read()
    return time.perf_counter() - started


def _together(readers: int, read) -> float:
    """Seconds until ``readers`` threads, started together, have all read."""
    ready = threading.Barrier(readers + 1)
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            ready.wait(60)
            read()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reader) for _ in range(readers)]
    for t in threads:
        t.start()
    ready.wait(60)
    started = time.perf_counter()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started


def _area(code: str) -> Area:
    if code:
        try:
            return Area.objects.get(code=code)
        except Area.DoesNotExist:
            raise SystemExit(f"bench figures: --area {code}: no such area") from None
    area = Area.objects.filter(level=AreaLevel.CITY).order_by("path").first()
    if area is None:
        raise SystemExit("bench figures: the database has no city: run another bench first")
    return area


def run(options: dict, out: TextIO) -> dict:
    if options["readers"] < 1 or options["repeat"] < 1:
        raise SystemExit("bench figures: --readers and --repeat must be 1 or more")
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    if options["read_only"]:
        if backend == "DatabaseCache":
            raise SystemExit(
                "bench figures --read-only: the database cache writes to the database; "
                "set REDIS_URL (e.g. redis://127.0.0.1:6379/5) for a cache outside it"
            )
        connection_created.connect(_read_only_session)
        connection.close()  # the next query opens a read-only session
    area = _area(options["area"])
    ttl = max(figure_cache.lifetime(), 600)  # no entry may expire during a measurement
    counted = Counted()
    names = [f.name for f in counted.figures]
    say(
        out,
        f"bench figures on {dialect.name()} ({connection.settings_dict['NAME']}), "
        f"{backend}, area {area.code} {area.name}, {len(names)} figures",
    )

    def shown(fresh: bool = False) -> None:
        figure_cache.values(counted.figures, area, fresh=fresh)

    with override_settings(FIGURE_CACHE_SECONDS=ttl):
        report_s = _timed(lambda: metrics.compute(area=area))
        say(out, f"report (metrics.compute, no cache): {report_s:.3f}s")

        figure_cache.forget(names, area)
        counted.reset()
        cold_s = _timed(shown)
        slowest = counted.seconds.most_common(5)
        say(out, f"one reader, cold cache: {cold_s:.3f}s; slowest figures:")
        for name, seconds in slowest:
            say(out, f"  {name}: {seconds:.3f}s")

        counted.reset()
        warm = [_timed(shown) for _ in range(options["repeat"])]
        warm_s = statistics.median(warm)
        if counted.calls:
            raise RuntimeError(f"a warm read computed figures: {dict(counted.calls)}")
        say(out, f"one reader, warm cache: median {warm_s * 1000:.2f} ms of {len(warm)}")

        fresh_s = _timed(lambda: shown(fresh=True))
        say(out, f"one reader, fresh (?fresh=1): {fresh_s:.3f}s")

        figure_cache.forget(names, area)
        counted.reset()
        readers_cold_s = _together(options["readers"], shown)
        computations = sum(counted.calls.values())
        say(
            out,
            f"{options['readers']} readers together, cold cache: {readers_cold_s:.3f}s, "
            f"{computations} computations of {len(names)} figures",
        )
        figure_cache.forget(names, area)

    readers_uncached_s = None
    if not options["no_uncached"]:
        with override_settings(FIGURE_CACHE_SECONDS=0):
            counted.reset()
            readers_uncached_s = _together(options["readers"], shown)
        say(
            out,
            f"{options['readers']} readers together, no cache: {readers_uncached_s:.3f}s, "
            f"{sum(counted.calls.values())} computations",
        )
    return {
        "bench": "figures",
        "database": dialect.name(),
        "cache": backend,
        "area": area.code,
        "figures": len(names),
        "report_s": round(report_s, 3),
        "cold_s": round(cold_s, 3),
        "warm_s": round(warm_s, 4),
        "fresh_s": round(fresh_s, 3),
        "readers": options["readers"],
        "readers_cold_s": round(readers_cold_s, 3),
        "computations": computations,
        "readers_uncached_s": None if readers_uncached_s is None else round(readers_uncached_s, 3),
    }
