"""The demo's clock (演示时钟): a demo city runs on its story's time.

The demo replays September 2021. Served on today's clock, every task of the
story would show overdue and the periodic jobs would expire every code on
start. So ``zhanyi demo`` serves the city on the story's clock: time starts at
the moment the replay ends and runs on at its normal pace, in every process of
the installation (the web server's, the workers', the scheduler's, a command
run beside them), because each reads the same setting::

    ZHANYI_CLOCK=2021-09-30T12:00:00+08:00@1765087200.0

which says "this story time was the real (UNIX) time after the @". Each process
sets its clock when Django starts (``CoreConfig.ready``) with time-machine,
which moves ``time.time``, ``datetime.now`` and Django's ``timezone.now``
alike. Without the setting nothing moves; a production installation never
sets it (``zhanyi check`` names it as an error outside debug).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Iterator

import time_machine

ENV = "ZHANYI_CLOCK"

_travel: time_machine.travel | None = None


class ClockSettingError(ValueError):
    """``ZHANYI_CLOCK`` is not ``<ISO time with its offset>@<UNIX time>``."""


def setting_for(story_time: dt.datetime, real_time: float | None = None) -> str:
    """The ``ZHANYI_CLOCK`` value putting ``story_time`` at ``real_time`` (now)."""
    if story_time.tzinfo is None:
        raise ClockSettingError("the story's time needs its offset")
    real = time.time() if real_time is None else real_time
    return f"{story_time.isoformat()}@{real:.3f}"


def parse(value: str) -> tuple[dt.datetime, float]:
    story, sep, real = value.strip().rpartition("@")
    try:
        if not sep:
            raise ValueError(value)
        at = dt.datetime.fromisoformat(story)
        since = float(real)
    except ValueError:
        raise ClockSettingError(
            f"{ENV}={value!r}: expected <ISO time with offset>@<UNIX time>"
        ) from None
    if at.tzinfo is None:
        raise ClockSettingError(f"{ENV}={value!r}: the time needs its offset (+08:00)")
    return at, since


def follow(value: str | None = None) -> dt.datetime | None:
    """Run this process on the clock ``value`` (default: ``ZHANYI_CLOCK``) names;
    returns the time it now reads, or ``None`` when no clock is set. Calling it
    again with another value moves the clock there."""
    global _travel
    value = os.environ.get(ENV, "") if value is None else value
    if not value:
        return None
    story, since = parse(value)
    stop()  # measure real time on the real clock
    # Where the story is now: as far past its start as real time is past ``since``.
    _travel = time_machine.travel(story + dt.timedelta(seconds=time.time() - since), tick=True)
    _travel.start()
    return dt.datetime.now(dt.UTC)


def stop() -> None:
    """Back to the real clock (tests, and a process leaving the demo)."""
    global _travel
    if _travel is not None:
        _travel.stop()
        _travel = None


def is_story_time() -> bool:
    """Whether this process runs on a story's clock (the pages say so)."""
    return _travel is not None


@contextlib.contextmanager
def running_at(moment: dt.datetime) -> Iterator[None]:
    """Run the block as if it began at ``moment``, the clock ticking on from
    there: the demo's replay writes its rows (created, audited, taken) on the
    story's time, not on the day the demo was built."""
    if moment.tzinfo is None:
        raise ClockSettingError("the moment needs its offset")
    with time_machine.travel(moment, tick=True):
        yield
