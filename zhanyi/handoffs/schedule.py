"""Test schedules (核酸检测时间表): the tests one ``test`` hand-off carries.

A producer hands testing one ``test`` hand-off per person and protocol (a
contact's quarantine and monitoring tests; a screened person's one test), not
one per test day. ``detail["tests"]`` lists the tests in the order they fall
due, each

    {"stage": "quarantine", "day": 4, "not_before": "2021-09-17T16:00:00Z",
     "due_at": "2021-09-18T16:00:00Z", "done": false}

(times ISO 8601 in UTC; ``not_before`` may be null: at once). A test that is
done also names the tube and when it was sampled (``"tube"``,
``"sampled_at"``). The hand-off's own ``not_before`` and ``due_at`` are those
of the earliest test not yet done (a rolling due date), so testing's due lists,
the overdue flag and jurisdiction lists work by the columns; when the last
test is done the hand-off is done.

A ``test`` hand-off written before schedules (no ``"tests"`` in its detail) is
read as a schedule of one test: its own window.

This module is pure (no queries); the writes are in
``zhanyi.handoffs.actions`` (``do_record_scheduled_test``,
``do_extend_test_schedules``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ScheduledTest:
    """One test of a schedule: the ``day`` of a ``stage`` ("quarantine",
    "home_health_monitoring", …), its window, and whether it is done."""

    stage: str
    day: int | None
    not_before: dt.datetime | None
    due_at: dt.datetime
    done: bool = False
    tube: str = ""
    sampled_at: dt.datetime | None = None

    @property
    def slot(self) -> tuple[str, int | None]:
        """What names the test within a schedule: its stage and day."""
        return (self.stage, self.day)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "stage": self.stage,
            "day": self.day,
            "not_before": iso(self.not_before),
            "due_at": iso(self.due_at),
            "done": self.done,
        }
        if self.done:
            out["tube"] = self.tube
            out["sampled_at"] = iso(self.sampled_at)
        return out


def iso(value: dt.datetime | None) -> str | None:
    """A time as schedules write it: ISO 8601 in UTC with ``Z``
    (``2021-09-17T16:00:00Z``); the bulk path writes the same text."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("schedule times must be timezone-aware")
    value = value.astimezone(dt.UTC)
    # Fractions as Polars writes them (%.f): none, or 3 or 6 digits.
    spec = "milliseconds" if value.microsecond % 1000 == 0 and value.microsecond else "auto"
    return value.isoformat(timespec=spec).replace("+00:00", "Z")


def _time(value: Any, where: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"test schedule: {where} is not a time: {value!r}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"test schedule: {where} has no time zone: {value!r}")
    return parsed


_FAR_PAST = dt.datetime.min.replace(tzinfo=dt.UTC)


def _falls_due(test: ScheduledTest) -> tuple[dt.datetime, dt.datetime]:
    return (test.not_before or _FAR_PAST, test.due_at)


def tests_of(
    detail: Mapping[str, Any] | None,
    *,
    not_before: dt.datetime | None = None,
    due_at: dt.datetime | None = None,
) -> list[ScheduledTest]:
    """The schedule in a hand-off's ``detail``; a hand-off without one is one
    test, its own window (``not_before``, ``due_at``)."""
    detail = detail or {}
    raw = detail.get("tests")
    if raw is None:
        if due_at is None:
            raise ValueError("test schedule: a hand-off without tests needs its due_at")
        return [
            ScheduledTest(
                stage=str(detail.get("stage", "")),
                day=detail.get("day"),
                not_before=not_before,
                due_at=due_at,
            )
        ]
    if not isinstance(raw, list) or not raw:
        raise ValueError("test schedule: 'tests' must be a non-empty list")
    out = []
    for i, item in enumerate(raw):
        where = f"tests[{i}]"
        if not isinstance(item, Mapping):
            raise ValueError(f"test schedule: {where} is not an object")
        due = _time(item.get("due_at"), f"{where}.due_at")
        if due is None:
            raise ValueError(f"test schedule: {where} has no due_at")
        out.append(
            ScheduledTest(
                stage=str(item.get("stage", "")),
                day=item.get("day"),
                not_before=_time(item.get("not_before"), f"{where}.not_before"),
                due_at=due,
                done=bool(item.get("done", False)),
                tube=str(item.get("tube") or ""),
                sampled_at=_time(item.get("sampled_at"), f"{where}.sampled_at"),
            )
        )
    return out


def detail_of(tests: Iterable[ScheduledTest]) -> dict[str, Any]:
    """``{"tests": [...]}`` for a hand-off's detail, in the order they fall due
    (a stable sort: tests due together keep the producer's order)."""
    tests = sorted(tests, key=_falls_due)
    if not tests:
        raise ValueError("a test schedule needs at least one test")
    return {"tests": [t.as_json() for t in tests]}


def current(tests: Iterable[ScheduledTest]) -> ScheduledTest | None:
    """The earliest test not yet done (None: every test is done)."""
    return min((t for t in tests if not t.done), key=_falls_due, default=None)


def mark_done(
    tests: Iterable[ScheduledTest], *, sampled_at: dt.datetime, tube: str
) -> tuple[list[ScheduledTest], ScheduledTest]:
    """The schedule with its current test done by a sample taken at
    ``sampled_at`` into ``tube``; and that test. A sample before the current
    test's window opens is refused (it belongs to no test of the schedule)."""
    tests = list(tests)
    now = current(tests)
    if now is None:
        raise ValueError("every test of this schedule is done")
    if now.not_before is not None and sampled_at < now.not_before:
        raise ValueError(
            f"the next test ({now.stage} day {now.day}) is not due before {iso(now.not_before)}"
        )
    done = dataclasses.replace(now, done=True, tube=tube, sampled_at=sampled_at)
    return [done if t is now else t for t in tests], done


def extended(old: Iterable[ScheduledTest], new: Iterable[ScheduledTest]) -> list[ScheduledTest]:
    """``new`` (a stronger schedule: a secondary contact become close) keeping
    what ``old`` has done: a done test of the same stage and day stays done;
    a done test the new schedule does not have is kept as a record."""
    done = {t.slot: t for t in old if t.done}
    out = []
    for t in new:
        kept = done.pop(t.slot, None)
        out.append(
            dataclasses.replace(t, done=True, tube=kept.tube, sampled_at=kept.sampled_at)
            if kept is not None
            else t
        )
    return [*out, *done.values()]
