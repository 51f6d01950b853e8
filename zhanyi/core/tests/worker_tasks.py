"""A task for the worker tests: it takes as long as it is told."""

from __future__ import annotations

import time

from django_tasks import task


@task()
def sleep_for(seconds: float) -> float:
    time.sleep(seconds)
    return seconds
