"""Request and job metrics for Prometheus at ``/metrics``.

- **Requests**: ``zhanyi_http_requests_total`` (by method, URL name and status) and
  ``zhanyi_http_request_duration_seconds`` (by method and URL name), counted by
  ``MetricsMiddleware``, the first middleware. The URL name (``people:person``), never
  the path: paths carry ids, and a label per id would grow without end. The sampling
  points' scan lane (``zhanyi.testing.fastpath.lane``), which answers in front of the
  middleware, counts the scans it answers the same way (``observe``).
- **Background jobs** (django-tasks) and **periodic jobs** (``zhanyi scheduler``): read
  from the database when Prometheus asks, so every app server reports the same
  figures whichever process ran the job: ``zhanyi_jobs`` (by task and status),
  ``zhanyi_jobs_oldest_waiting_seconds``, ``zhanyi_periodic_last_finished_timestamp_seconds``
  and ``zhanyi_periodic_last_run_ok`` (by job).

With several server processes (``zhanyi serve --processes N``) the request counters
live in files under ``PROMETHEUS_MULTIPROC_DIR`` (``serve`` sets it to
``$ZHANYI_DATA_DIR/prometheus`` and empties it at start), so one scrape sums every
process.

Who may read it: with ``ZHANYI_METRICS_TOKEN`` set, a request carrying
``Authorization: Bearer <token>``; without it, only a request from this machine
(loopback, not forwarded by a proxy). Others get 403. The figures are counts: no
personal data, no audit record.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter(
    "zhanyi_http_requests",
    "HTTP requests answered, by method, URL name and status.",
    ["method", "view", "status"],
)
LATENCY = Histogram(
    "zhanyi_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and URL name.",
    ["method", "view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


class MetricsMiddleware:
    """Counts and times every request that reaches Django."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or "unnamed") if match is not None else "unmatched"
        observe(request.method or "", view, response.status_code, time.perf_counter() - started)
        return response


def observe(method: str, view: str, status: int | str, seconds: float) -> None:
    """Count one answered request (the middleware, and the scan lane in front of it)."""
    method = method if method in _METHODS else "other"
    REQUESTS.labels(method, view, str(status)).inc()
    LATENCY.labels(method, view).observe(seconds)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class JobCollector:
    """Background and periodic jobs, read from the database at each scrape."""

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        from django_tasks_db.models import DBTaskResult

        from zhanyi.core.models import PeriodicRun

        jobs = GaugeMetricFamily(
            "zhanyi_jobs", "Background jobs by task and status.", labels=["task", "status"]
        )
        for row in DBTaskResult.objects.values("task_path", "status").annotate(n=Count("id")):
            jobs.add_metric([row["task_path"], row["status"].lower()], row["n"])
        yield jobs
        oldest = DBTaskResult.objects.filter(status="READY").aggregate(at=Min("enqueued_at"))["at"]
        waiting = GaugeMetricFamily(
            "zhanyi_jobs_oldest_waiting_seconds",
            "How long the oldest job no worker has started has waited (0: none waits).",
        )
        waiting.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0.0)
        yield waiting
        finished = GaugeMetricFamily(
            "zhanyi_periodic_last_finished_timestamp_seconds",
            "When each periodic job last finished (UNIX time).",
            labels=["job"],
        )
        ok = GaugeMetricFamily(
            "zhanyi_periodic_last_run_ok",
            "Whether each periodic job's last run succeeded (1) or failed (0).",
            labels=["job"],
        )
        for run in PeriodicRun.objects.all():
            if run.finished_at is not None:
                finished.add_metric([run.name], run.finished_at.timestamp())
            if run.ok is not None:
                ok.add_metric([run.name], 1.0 if run.ok else 0.0)
        yield finished
        yield ok


def _is_local(request: HttpRequest) -> bool:
    if request.META.get("HTTP_X_FORWARDED_FOR"):
        return False  # through a proxy: the proxy is local, the client may not be
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def share_between_processes(folder: Path) -> None:
    """Before ``serve`` starts several server processes: their request counters go to
    files in ``folder`` (emptied first: counts of a previous run would be added), so
    that a scrape answered by any process sums them all. A folder set already in
    ``PROMETHEUS_MULTIPROC_DIR`` is kept as it is."""
    if os.environ.get(MULTIPROC_ENV):
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(folder)
    # prometheus_client chooses where values live when it is imported; it was
    # imported (by the URL checks) before the folder was set.
    values.ValueClass = values.get_value_class()


def may_read(request: HttpRequest) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    if not token:
        return _is_local(request)
    given = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, value = given.partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(value.strip(), token)


def exposition() -> bytes:
    """Every metric in Prometheus' text format."""
    if os.environ.get(MULTIPROC_ENV):
        requests = CollectorRegistry()
        multiprocess.MultiProcessCollector(requests)
    else:
        requests = REGISTRY
    jobs = CollectorRegistry()
    jobs.register(JobCollector())
    return generate_latest(requests) + generate_latest(jobs)


@login_not_required
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_read(request):
        return HttpResponse(
            "metrics need ZHANYI_METRICS_TOKEN as a bearer token, or a request from this machine\n",
            status=403,
            content_type="text/plain",
        )
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
