"""Periodic jobs (定时任务): work the clock makes due, run by ``zhanyi scheduler``.

Some work has no user to start it: screening tasks that pass their 2-hour
deadline must be escalated to the township, and health codes whose override or
review time has passed must be decided again. Each app declares such jobs in
its own ``periodic.py``::

    from zhanyi.core.periodic import every

    @every("screening.escalate", minutes=5)
    def escalate(now):
        return actions.do_escalate_overdue(acting_user=SCHEDULER, now=now)

``run_due`` runs every job whose interval has passed since it last started.
Several app servers may each run a scheduler: a job is claimed with one
conditional UPDATE of its ``PeriodicRun`` row, so only one of them runs it per
interval, and each run's start, end, outcome and summary are kept there.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from zhanyi.core.audit import SystemActor

#: The actor periodic jobs act as, in the audit log.
SCHEDULER = SystemActor("scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    interval: dt.timedelta
    fn: Callable[[dt.datetime], object]


_JOBS: dict[str, Job] = {}
_discovered = False


def every(name: str, *, minutes: int) -> Callable:
    """Register ``fn(now)`` to run every ``minutes`` minutes; what it returns
    is kept as the run's summary."""
    if minutes < 1:
        raise ValueError("a periodic job runs at most once a minute")

    def register(fn: Callable[[dt.datetime], object]) -> Callable:
        if name in _JOBS and _JOBS[name].fn is not fn:
            raise ValueError(f"periodic job {name!r} is registered twice")
        _JOBS[name] = Job(name, dt.timedelta(minutes=minutes), fn)
        return fn

    return register


def jobs() -> list[Job]:
    global _discovered
    if not _discovered:
        autodiscover_modules("periodic")
        _discovered = True
    return sorted(_JOBS.values(), key=lambda j: j.name)


def _runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def claim(job: Job, now: dt.datetime) -> bool:
    """Take the job's run for this interval; False when it ran (or is running)
    less than an interval ago, here or on another server."""
    from zhanyi.core.models import PeriodicRun

    try:
        with transaction.atomic():
            PeriodicRun.objects.get_or_create(name=job.name)
    except IntegrityError:
        pass  # created by another scheduler at the same moment
    claimed = (
        PeriodicRun.objects.filter(name=job.name)
        .filter(Q(started_at=None) | Q(started_at__lte=now - job.interval))
        .update(started_at=now, finished_at=None, ok=None, runner=_runner())
    )
    return claimed == 1


def run_due(now: dt.datetime | None = None, *, only: str | None = None) -> list[tuple[str, bool]]:
    """Run every job that is due (or just ``only``); returns (name, ok) of those run.
    A failing job is recorded with its error and does not stop the others."""
    from zhanyi.core.models import PeriodicRun

    now = now or timezone.now()
    ran = []
    for job in jobs():
        if only is not None and job.name != only:
            continue
        if not claim(job, now):
            continue
        try:
            summary, ok = str(job.fn(now)), True
        except Exception:
            summary, ok = traceback.format_exc(limit=5), False
        PeriodicRun.objects.filter(name=job.name).update(
            finished_at=timezone.now(), ok=ok, summary=summary[:2000]
        )
        ran.append((job.name, ok))
    return ran
