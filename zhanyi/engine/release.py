"""A contact's quarantine, test days and release, from the protocol (隔离、核酸、解除隔离).

One anchor for everything (``[quarantine] count_from``): the quarantine
stages, the test days and the health code all count from it, so a "day 14"
test always falls on the 14th day of the 14 days of quarantine.

- ``anchor``: the moment the days count from (the last exposure, or the
  quarantine: when the contact was quarantined, else identified).
- ``periods``: the stages ``(stage, start, end)`` from the anchor:
  centralised quarantine, home quarantine, home health monitoring. A release
  (``released_at``) ends the quarantine stages, early or late; home health
  monitoring follows the release for its days.
- ``test_days``: the tests of those stages (``[test_days]``): quarantine day
  *n* is the local day (Asia/Shanghai) *n − 1* days after the anchor's day;
  home-monitoring day *n* counts the same way from the start of monitoring.
  A release ends the quarantine and its tests (those done stay recorded
  where they were recorded) and keeps the home-monitoring tests, counted
  from the release.
- ``release_check``: whether a contact may be released at ``now`` under
  ``[release]``: their quarantine stages are over and the final samples are
  negative (two with different reagents, 双采双检, where the file says so); a
  secondary contact also needs their close contact's first tests negative
  and is managed as a close contact when the close contact turns positive.

Pure functions: no Django, no clock; times are timezone-aware.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # the rules' types; protocol.py imports the code rules, which import this
    from zhanyi.engine.protocol import QuarantineRule, ReleaseRule, TestScheduleRule

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
MONITORING = "home_health_monitoring"
QUARANTINE = "quarantine"


@dataclass(frozen=True)
class Period:
    """One stage of a contact's quarantine: ``[start, end)``."""

    stage: str  # "centralised", "home", "home_health_monitoring"
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class TestDay:
    """One test of the schedule: ``day`` of ``stage`` (``"quarantine"`` or
    ``"home_health_monitoring"``), due within its local day ``[start, end)``."""

    stage: str
    day: int
    start: dt.datetime
    end: dt.datetime

    @property
    def date(self) -> dt.date:
        return self.start.astimezone(LOCAL_TZ).date()


@dataclass(frozen=True)
class Sample:
    """A test result the release reads: when it was sampled, the result, and
    the reagent (kit) it was tested with (for 双采双检)."""

    sampled_at: dt.datetime
    result: Literal["positive", "negative"]
    reagent: str = ""


@dataclass(frozen=True)
class ReleaseCheck:
    """Whether a contact may be released now, and why not."""

    may_release: bool
    #: When the quarantine stages end by the clock (the earliest release).
    due_at: dt.datetime
    #: The kind the contact is managed as (a secondary contact whose close
    #: contact turned positive is managed as close).
    managed_as: str
    #: What is missing, as stable codes: "days", "final_samples",
    #: "different_reagents", "close_contact_tests", "positive".
    missing: tuple[str, ...] = ()


def _aware(value: dt.datetime | None, what: str) -> None:
    if value is not None and value.tzinfo is None:
        raise ValueError(f"{what} must be timezone-aware")


def anchor(
    quarantine: QuarantineRule,
    *,
    last_exposure_at: dt.datetime,
    quarantined_at: dt.datetime | None = None,
    identified_at: dt.datetime | None = None,
) -> dt.datetime:
    """What the contact's days count from, by ``[quarantine] count_from``."""
    _aware(last_exposure_at, "last_exposure_at")
    _aware(quarantined_at, "quarantined_at")
    _aware(identified_at, "identified_at")
    if quarantine.count_from == "last_exposure":
        return last_exposure_at
    return quarantined_at or identified_at or last_exposure_at


def periods(
    stages: Sequence[tuple[str, int]] | Iterable[tuple[str, int]],
    start: dt.datetime,
    *,
    released_at: dt.datetime | None = None,
) -> list[Period]:
    """The stages ``[(stage, days), …]`` (``QuarantineRule.stages(kind)``) as
    periods from ``start``. ``released_at`` ends the quarantine stages when it
    was recorded, early or late; home health monitoring then runs its days
    from the release."""
    _aware(start, "start")
    _aware(released_at, "released_at")
    stages = list(stages)
    quarantine = [(s, d) for s, d in stages if s != MONITORING]
    monitoring = [(s, d) for s, d in stages if s == MONITORING]
    out: list[Period] = []
    at = start
    for i, (stage, days) in enumerate(quarantine):
        end = at + dt.timedelta(days=days)
        last = i == len(quarantine) - 1
        if released_at is not None and (released_at < end or last):
            end = released_at
        if end > at:
            out.append(Period(stage, at, end))
        at = end
        if released_at is not None and at >= released_at:
            break
    for stage, days in monitoring:
        end = at + dt.timedelta(days=days)
        out.append(Period(stage, at, end))
        at = end
    return out


def _local_day(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)
    return start.astimezone(dt.UTC), (start + dt.timedelta(days=1)).astimezone(dt.UTC)


def quarantine_end(stages: Iterable[tuple[str, int]], start: dt.datetime) -> dt.datetime:
    """When the quarantine stages (not monitoring) end by the clock."""
    days = sum(d for s, d in stages if s != MONITORING)
    return start + dt.timedelta(days=days)


def test_days(
    quarantine: QuarantineRule,
    schedule: TestScheduleRule,
    kind: str,
    start: dt.datetime,
    *,
    released_at: dt.datetime | None = None,
) -> list[TestDay]:
    """The contact's tests: quarantine days counted from ``start`` (the
    anchor), then a close contact's home-monitoring days counted from the
    start of monitoring (the end of the quarantine days, or the release).
    With ``released_at`` the schedule is the monitoring tests alone: the
    release ends the quarantine, and with it the quarantine's tests."""
    stages = quarantine.stages(kind)
    spans = periods(stages, start, released_at=released_at)
    first_day = start.astimezone(LOCAL_TZ).date()
    out: list[TestDay] = []
    for n in schedule.days(kind) if released_at is None else ():
        lo, hi = _local_day(first_day + dt.timedelta(days=n - 1))
        out.append(TestDay(QUARANTINE, n, lo, hi))
    if kind == "close":
        watch = [p for p in spans if p.stage == MONITORING]
        if watch:
            monitoring_day = watch[0].start.astimezone(LOCAL_TZ).date()
            for n in schedule.close_monitoring_days:
                lo, hi = _local_day(monitoring_day + dt.timedelta(days=n - 1))
                out.append(TestDay(MONITORING, n, lo, hi))
    return out


def release_check(
    quarantine: QuarantineRule,
    release: ReleaseRule,
    kind: str,
    start: dt.datetime,
    *,
    samples: Iterable[Sample] = (),
    close_contact_samples: Iterable[Sample] = (),
    now: dt.datetime,
) -> ReleaseCheck:
    """May a close or secondary contact whose days count from ``start`` be
    released at ``now`` (``[release]``)?

    - Close contact: the quarantine days are over and the last
      ``close_final_samples`` samples (sampled by ``now``, after ``start``)
      are negative, tested with as many different reagents when
      ``close_different_reagents`` (双采双检).
    - Secondary contact: the quarantine days are over and the close contact's
      first ``secondary_needs_close_negative_tests`` tests are negative. A
      close contact who tested positive makes them managed as a close
      contact (their check is then the close contact's, from the same start).
    - Any positive sample of their own: not released.
    """
    _aware(now, "now")
    own = sorted((s for s in samples if start <= s.sampled_at <= now), key=lambda s: s.sampled_at)
    theirs = sorted(
        (s for s in close_contact_samples if s.sampled_at <= now), key=lambda s: s.sampled_at
    )
    managed = kind
    if kind == "secondary" and any(s.result == "positive" for s in theirs):
        managed = "close"
    due = quarantine_end(quarantine.stages(managed), start)
    missing: list[str] = []
    if now < due:
        missing.append("days")
    if any(s.result == "positive" for s in own):
        missing.append("positive")
    if managed == "close":
        final = own[-release.close_final_samples :] if release.close_final_samples else []
        if len(final) < release.close_final_samples or any(s.result != "negative" for s in final):
            missing.append("final_samples")
        elif release.close_different_reagents and len({s.reagent for s in final}) < len(final):
            missing.append("different_reagents")
    else:
        needed = release.secondary_needs_close_negative_tests
        first = theirs[:needed]
        if len(first) < needed or any(s.result != "negative" for s in first):
            missing.append("close_contact_tests")
    return ReleaseCheck(not missing, due, managed, tuple(missing))
