"""``/healthz`` for a load balancer and ``/metrics`` for Prometheus."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.cache import cache
from django.test import Client

from zhanyi.core import health
from zhanyi.core.logs import JsonFormatter
from zhanyi.core.models import PeriodicRun

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_login_and_names_each_check():
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_cache_fails(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "set", broken)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "error: ConnectionError"}


def test_healthz_is_503_when_the_database_fails(monkeypatch):
    monkeypatch.setattr(health, "_database", lambda: "error: OperationalError")
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_healthz_refuses_writes():
    assert Client().post("/healthz").status_code == 405


def test_metrics_from_this_machine_count_requests_and_jobs():
    PeriodicRun.objects.create(name="screening.escalate", ok=False)
    client = Client()
    client.get("/healthz")
    response = client.get("/metrics")  # the test client's address is 127.0.0.1
    assert response.status_code == 200
    text = response.content.decode()
    assert 'zhanyi_http_requests_total{method="GET",status="200",view="healthz"}' in text
    assert "zhanyi_http_request_duration_seconds_bucket" in text
    assert 'zhanyi_periodic_last_run_ok{job="screening.escalate"} 0.0' in text
    assert "zhanyi_jobs_oldest_waiting_seconds 0.0" in text


def test_metrics_refuse_other_addresses_and_proxied_requests():
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 403
    assert Client(HTTP_X_FORWARDED_FOR="203.0.113.9").get("/metrics").status_code == 403


def test_metrics_with_a_token_need_it(settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    assert Client().get("/metrics").status_code == 403
    wrong = Client(REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.get("/metrics").status_code == 403
    right = Client(REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    assert right.get("/metrics").status_code == 200


def test_json_log_lines_are_one_object_each():
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "boom %s", ("x",), None
    )
    record.status_code = 500
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "boom x"
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "django.request"
    assert entry["status"] == 500
    assert entry["time"].endswith("+00:00")


def test_several_processes_share_their_counts_through_files(tmp_path, monkeypatch):
    """What ``zhanyi serve --processes N`` sets up: counts of one process, written to
    the shared folder, are in the answer of a scrape."""
    from prometheus_client import values

    from zhanyi.core import prometheus

    monkeypatch.delenv(prometheus.MULTIPROC_ENV, raising=False)
    monkeypatch.setattr(values, "ValueClass", values.ValueClass)
    folder = tmp_path / "prometheus"
    (folder / "stale").mkdir(parents=True)
    prometheus.share_between_processes(folder)
    try:
        assert not (folder / "stale").exists()
        prometheus.observe("GET", "shared-view", 200, 0.02)
        assert list(folder.glob("*.db"))
        text = prometheus.exposition().decode()
        assert (
            'zhanyi_http_requests_total{method="GET",status="200",view="shared-view"} 1.0' in text
        )
    finally:
        monkeypatch.delenv(prometheus.MULTIPROC_ENV)
