"""The twice-daily report (每日两报): its snapshot, its three files, and 50 screens.

``zhanyi bench report`` reads the database as it is (it builds nothing: run it
on the city another bench or the demo loaded; issue 19 asks for the full
synthetic city of 5.05 million people on PostgreSQL, ``--screens 50``) and
times, after refreshing the planner's statistics of every table as
autovacuum keeps them on a live database (set-up, ``analyze_s``: a bench
database cloned from a template has none), inside one transaction that is
rolled back so the database keeps no report:

* ``snapshot_s``: ``do_take_report``, every registered figure for the city
  and each county computed now (``metrics.compute``) and stored;
* ``docx_s``, ``pdf_s``, ``xlsx_s``: the report's Word, PDF and Excel files,
  charts included, from its stored rows (``*_cpu_s``: the CPU time this
  process spent on each, which a busy shared machine does not inflate;
  ``imports_s``: importing matplotlib and WeasyPrint first, once per
  process, not counted in the files' times);

and then ``screen_p95_ms``: ``--screens`` screens, each its own thread and
connections, each refreshing the city's big screen ``--refreshes`` times
(``command.views.screen.screen_data``, what the page ``/screen/`` reads: the
key figures through the figure cache with their change since the last
report, and the epidemic curve; the cache is warmed first, as a command
room's screens find it): the 95th percentile of one refresh, in
milliseconds. (Before the page existed the bench read every registered
figure, 127 by December, which is what a dashboard reads, not a screen.)
The last line is one JSON object:
``bench``, ``people``, ``snapshot_s``, ``docx_s``, ``pdf_s``, ``xlsx_s``,
``screen_p95_ms``, then ``analyze_s``, ``imports_s``, the ``*_cpu_s``
(``snapshot_cpu_s``: this process's; the database's own is not in it),
``load_average`` (the machine's one-minute load at the start and the end),
``figures``, ``areas``, ``database``, ``cache`` (the screens' figure cache:
``RedisCache`` with ``REDIS_URL``, else ``DatabaseCache``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import threading
import time
from typing import TextIO

import numpy as np
from django.apps import apps
from django.conf import settings
from django.db import connections, transaction

from zhanyi.bench.city import say
from zhanyi.command import actions, exports, queries
from zhanyi.command.actions.reports import report_areas
from zhanyi.command.models import Report
from zhanyi.core import metrics
from zhanyi.core.audit import SystemActor
from zhanyi.core.db import dialect
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.people.models import Person
from zhanyi.places.models import AreaLevel

BENCH_ACTOR = SystemActor("bench:report")


class _Everything:
    """The reader the bench reads as: the whole city."""

    is_superuser = True
    jurisdiction_id = None


class _RolledBack(Exception):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--screens", type=int, default=50, help="screens refreshing together")
    parser.add_argument("--refreshes", type=int, default=20, help="refreshes per screen")


def _free_slot() -> dt.datetime:
    """A report slot after every report taken: the bench's report comes last."""
    last = Report.objects.order_by("-scheduled_for").first()
    day = last.scheduled_for.astimezone(LOCAL_TZ).date() if last else dt.date(2000, 1, 1)
    times = actions.reports.report_times()
    later = [
        t for t in times if last and dt.datetime.combine(day, t, LOCAL_TZ) > last.scheduled_for
    ]
    if later:
        return dt.datetime.combine(day, later[0], LOCAL_TZ)
    return dt.datetime.combine(day + dt.timedelta(days=1), times[0], LOCAL_TZ)


def _analyze() -> float:
    """Refresh the planner's statistics of every table first (set-up, not
    counted), as autovacuum keeps them on a live database: the benches'
    databases are cloned from templates (``CREATE DATABASE … TEMPLATE``), and
    a clone starts with no row counts of its own, so autovacuum never analyzes
    it and every figure's query is planned for empty tables (the persons'
    count took 3.7 s for the city of 200,000, nested over the villages, and
    0.1 s once analyzed)."""
    t = time.perf_counter()
    dialect.analyze(*(model._meta.db_table for model in apps.get_models()))
    return round(time.perf_counter() - t, 3)


def _import_writers() -> float:
    """Import what the files are drawn with (matplotlib, WeasyPrint: seconds
    each, once per process), so that each file's time is the file's own, as
    in a server process that has written a file before."""
    t = time.perf_counter()
    import weasyprint  # noqa: F401

    from zhanyi.command import charts  # noqa: F401 - matplotlib

    return round(time.perf_counter() - t, 3)


def _report_figures(out: TextIO) -> dict:
    figures: dict = {}
    try:
        with transaction.atomic():
            t, cpu = time.perf_counter(), time.process_time()
            slot = _free_slot()
            report = actions.do_take_report(acting_user=BENCH_ACTOR, scheduled_for=slot, now=slot)
            figures["snapshot_s"] = round(time.perf_counter() - t, 3)
            figures["snapshot_cpu_s"] = round(time.process_time() - cpu, 3)
            say(
                out,
                f"snapshot: {report.figures.count()} figures in {figures['snapshot_s']} s "
                f"({figures['snapshot_cpu_s']} s of CPU in this process)",
            )
            sheet = queries.report_sheet(report, _Everything())
            figures["imports_s"] = _import_writers()
            for fmt in ("docx", "pdf", "xlsx"):
                t, cpu = time.perf_counter(), time.process_time()
                body = exports.WRITERS[fmt](sheet)
                figures[f"{fmt}_s"] = round(time.perf_counter() - t, 3)
                figures[f"{fmt}_cpu_s"] = round(time.process_time() - cpu, 3)
                say(
                    out,
                    f"{fmt}: {len(body):,} bytes in {figures[f'{fmt}_s']} s "
                    f"({figures[f'{fmt}_cpu_s']} s of CPU)",
                )
            raise _RolledBack
    except _RolledBack:
        pass
    return figures


def _screens(screens: int, refreshes: int, area) -> list[float]:
    from zhanyi.command.views.screen import screen_data

    screen_data(area)  # warm: the command room's screens find the cache filled
    ready = threading.Barrier(screens)
    lock = threading.Lock()
    seconds: list[float] = []
    errors: list[BaseException] = []

    def screen() -> None:
        try:
            ready.wait(120)
            mine = []
            for _ in range(refreshes):
                t = time.perf_counter()
                screen_data(area)
                mine.append(time.perf_counter() - t)
            with lock:
                seconds.extend(mine)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=screen) for _ in range(screens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return seconds


def run(options: dict, out: TextIO) -> dict:
    people = Person.objects.count()
    city = report_areas()[0] if report_areas() else None
    if city is None or city.level != AreaLevel.CITY:
        raise SystemExit("no city is loaded: run the demo or another bench's city first")
    say(out, f"{people:,} people; {len(report_areas())} areas; {len(metrics.registered())} figures")
    figures: dict = {"bench": "report", "people": people}
    load_before = os.getloadavg()[0]
    figures["analyze_s"] = _analyze()
    say(out, f"set-up: planner statistics of every table in {figures['analyze_s']} s")
    figures.update(_report_figures(out))
    seconds = _screens(options["screens"], options["refreshes"], city)
    figures["screen_p95_ms"] = round(float(np.percentile(seconds, 95)) * 1000, 2)
    say(
        out,
        f"{options['screens']} screens × {options['refreshes']} refreshes: "
        f"p95 {figures['screen_p95_ms']} ms",
    )
    figures["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    figures["figures"] = len(metrics.registered())
    figures["areas"] = len(report_areas())
    figures["database"] = "postgresql" if dialect.is_postgresql() else "sqlite"
    # The screens read the figure cache: Redis (``REDIS_URL``) or the database.
    figures["cache"] = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    first = ("bench", "people", "snapshot_s", "docx_s", "pdf_s", "xlsx_s", "screen_p95_ms")
    return {k: figures[k] for k in first if k in figures} | figures
