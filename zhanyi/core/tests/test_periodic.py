"""Periodic jobs: claimed once per interval, failures recorded, the command."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from zhanyi.core import periodic
from zhanyi.core.models import PeriodicRun


@pytest.fixture
def job(monkeypatch):
    calls = []

    def fn(now):
        calls.append(now)
        return f"call {len(calls)}"

    monkeypatch.setitem(
        periodic._JOBS, "test.job", periodic.Job("test.job", dt.timedelta(minutes=5), fn)
    )
    return calls


def test_a_job_runs_once_per_interval_whoever_asks(db, job):
    now = timezone.now()
    j = periodic._JOBS["test.job"]
    assert periodic.claim(j, now) is True
    # A second scheduler (another app server) asking in the same interval is refused.
    assert periodic.claim(j, now + dt.timedelta(minutes=4, seconds=59)) is False
    assert periodic.claim(j, now + dt.timedelta(minutes=5)) is True


def test_a_run_keeps_its_summary_and_a_failure_its_error_without_stopping_others(
    db, job, monkeypatch
):
    def broken(now):
        raise RuntimeError("lab system unreachable")

    monkeypatch.setitem(
        periodic._JOBS, "test.broken", periodic.Job("test.broken", dt.timedelta(minutes=1), broken)
    )
    ran = dict(periodic.run_due())
    assert ran["test.broken"] is False and ran["test.job"] is True
    failed = PeriodicRun.objects.get(name="test.broken")
    assert failed.ok is False and "lab system unreachable" in failed.summary
    done = PeriodicRun.objects.get(name="test.job")
    assert done.ok is True and done.summary == "call 1" and done.runner


def test_registering_two_jobs_under_one_name_is_refused():
    periodic.every("test.twice", minutes=1)(lambda now: None)
    try:
        with pytest.raises(ValueError, match="registered twice"):
            periodic.every("test.twice", minutes=1)(lambda now: None)
    finally:
        periodic._JOBS.pop("test.twice", None)


def test_the_command_refuses_an_unknown_job_naming_the_known_ones(db):
    with pytest.raises(CommandError, match=r"no periodic job named 'nope'; known: .*people"):
        call_command("scheduler", "--run", "nope")


def test_running_a_job_by_name_says_when_it_is_not_due(db, job, capsys):
    call_command("scheduler", "--run", "test.job")
    assert "test.job: ok" in capsys.readouterr().out
    call_command("scheduler", "--run", "test.job")
    assert "test.job: not due" in capsys.readouterr().out
    assert len(job) == 1
