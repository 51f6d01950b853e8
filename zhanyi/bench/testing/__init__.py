"""Mass testing (全员核酸): a 1,083,000-person round at 10-in-1, and the scan API under load.

``zhanyi bench testing`` (run it on PostgreSQL: ``DATABASE_URL=postgres://…``)
sets up, unmeasured, a city of ``--people`` persons in ``--villages`` villages
through the person index's bulk import (kept between runs), or takes a city
already loaded with ``--city CODE`` (the full synthetic city another bench
loaded: every person of its villages), then times one round end to end
through the testing app's actions:

1. create the round (its target population, one ``INSERT … SELECT``);
2. register the samples: ``people / k`` tubes of ``k`` swabs (``COPY``);
3. deliver them to the labs in boxes and have the labs sign for them;
4. ingest one result per tube from lab CSV files, with ``--positives``
   positive pools (their people get re-sampling and isolation hand-offs);
5. compute coverage by area and the re-test lists.

Then it starts ``zhanyi serve`` (``--server-processes`` processes) on 127.0.0.1 and drives the scan
API with ``wrk`` (``apt-get install wrk``) at ``--connections`` concurrent
connections for ``--duration`` seconds, each request a whole tube of ``k``
scans; it reports requests per second and the 95th-percentile latency.
The last line is one JSON object of figures.
"""

from __future__ import annotations

import argparse
import time
from typing import TextIO

from django.core.management import call_command
from django.db import connection

from zhanyi.bench.city import say
from zhanyi.core.db import dialect

from .preparation import CITY, ensure_city, forget_earlier_runs, loaded_city
from .round import run_round
from .scan_load import scan_load


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--people", type=int, default=1_083_000)
    parser.add_argument("--villages", type=int, default=400)
    parser.add_argument(
        "--city",
        metavar="CODE",
        help="a city already loaded (its area code): the round covers every person of its "
        "villages, instead of the bench's own city of --people persons",
    )
    parser.add_argument("--pool-size", type=int, default=10)
    parser.add_argument("--positives", type=int, default=5, help="positive pool tubes")
    parser.add_argument("--box", type=int, default=2000, help="tubes per delivery batch")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=15, help="seconds of scan load")
    # Python runs one thread at a time per process: threads beyond a few only
    # queue inside it (16 threads measured a worse p95 than 4 here), so the
    # server runs a process per core (``zhanyi serve --processes``).
    parser.add_argument("--server-processes", type=int, default=2)
    parser.add_argument("--server-threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--no-load", action="store_true", help="skip the scan API load test")
    parser.add_argument(
        "--load-only",
        action="store_true",
        help="only the scan API load test (round_s and tubes are then null)",
    )


def run(options: dict, out: TextIO) -> dict:
    say(out, f"bench testing on {dialect.name()} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    if options["city"]:
        people_ids, village_list = loaded_city(options["city"])
    else:
        options["city"] = CITY
        people_ids, village_list = ensure_city(options["people"], options["villages"], out)
    say(
        out,
        f"set-up: {len(people_ids):,} persons in {len(village_list)} villages "
        f"({time.perf_counter() - t:.0f}s, not measured)",
    )
    if options["load_only"] and options["no_load"]:
        raise SystemExit("bench testing: --load-only and --no-load leave nothing to measure")
    figures = {"tubes": None, "round_s": None}
    if not options["load_only"]:
        forget_earlier_runs(out)
        figures = run_round(options, people_ids, village_list, out)
        figures.pop("_batches", None)
    load = {"scan_rps": None, "scan_p95_ms": None}
    if not options["no_load"]:
        load = scan_load(options, people_ids, village_list, out)
    return {
        "bench": "testing",
        "database": dialect.name(),
        "people": len(people_ids),
        "tubes": figures.pop("tubes"),
        "round_s": figures.pop("round_s"),
        "scan_rps": load.pop("scan_rps"),
        "scan_p95_ms": load.pop("scan_p95_ms"),
        "pool_size": options["pool_size"],
        **figures,
        **load,
    }
