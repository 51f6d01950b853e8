"""The discharge criteria of a case (出院标准), read from the protocol's
``[discharge]`` section (``zhanyi.engine.protocol.DischargeRule``).

The 8th edition of the Diagnosis and Treatment Plan discharges a case when all
of these hold at the moment of discharge:

- temperature normal for ``normal_temperature_days`` days (体温恢复正常3天以上):
  the readings since the last one at or above ``fever_celsius`` (37.3 °C is a
  fever, 37.2 °C is not) are all normal and span at least that many days, from
  the first normal reading to the latest (72 h exactly is enough: 以上 counts the
  number itself);
- respiratory symptoms clearly better (呼吸道症状明显好转), when
  ``needs_respiratory_improved``: the latest assessment says improved, or that
  the case never had any (an asymptomatic infection);
- lung imaging clearly better (肺部影像学显示急性渗出性病变明显改善), when
  ``needs_imaging_improved``: the latest imaging says improved, or no lesion;
- ``negative_tests`` negative nucleic-acid tests of respiratory samples in a row,
  sampled at least ``tests_min_gap_hours`` apart (连续两次呼吸道标本核酸检测阴性，
  采样时间至少间隔24小时): only respiratory samples count; a positive one
  restarts the run; negatives sampled closer than the gap to the previous
  counted one are part of the run but do not count (24 h exactly is enough).

Only facts recorded at or before the moment of discharge count. The function
returns every criterion that fails, each with the values a message needs; an
empty list is a discharge the protocol allows.

Ct values are recorded with each test for the clinicians; the 8th edition's
criteria do not use them, and neither does this function.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from zhanyi.engine.protocol import LOCAL_TZ, DischargeRule

#: Assessment values that satisfy "clearly better".
GOOD_ASSESSMENTS = ("improved", "none")


@dataclass(frozen=True)
class Reading:
    """A body temperature (°C) taken at ``at``."""

    at: dt.datetime
    celsius: float


@dataclass(frozen=True)
class Assessment:
    """A clinician's assessment at ``at``: ``worse``, ``unchanged``, ``improved``
    or ``none`` (no symptoms, no lesion)."""

    at: dt.datetime
    value: str


@dataclass(frozen=True)
class TestResult:
    """A nucleic-acid test: when it was sampled, positive or not, a respiratory sample or not."""

    __test__ = False  # not a pytest class

    sampled_at: dt.datetime
    positive: bool
    respiratory: bool = True


@dataclass(frozen=True)
class Failure:
    """One criterion that does not hold: ``criterion`` is ``temperature``,
    ``respiratory``, ``imaging`` or ``tests``; ``reason`` says which way it
    fails; ``values`` what the message shows."""

    criterion: str
    reason: str
    values: dict[str, Any] = field(default_factory=dict)


def _temperature(rule: DischargeRule, readings: list[Reading], at: dt.datetime) -> Failure | None:
    seen = sorted((r for r in readings if r.at <= at), key=lambda r: r.at)
    if not seen:
        return Failure("temperature", "none_recorded", {"days": rule.normal_temperature_days})
    fevers = [r for r in seen if r.celsius >= rule.fever_celsius]
    if fevers and fevers[-1] is seen[-1]:
        return Failure(
            "temperature",
            "fever",
            {"celsius": seen[-1].celsius, "at": seen[-1].at, "fever": rule.fever_celsius},
        )
    normal = [r for r in seen if not fevers or r.at > fevers[-1].at]
    span = normal[-1].at - normal[0].at
    needed = dt.timedelta(days=rule.normal_temperature_days)
    if span < needed:
        return Failure(
            "temperature",
            "too_short",
            {
                "days": rule.normal_temperature_days,
                "since": normal[0].at,
                "hours": int(span.total_seconds() // 3600),
                "fever": rule.fever_celsius,
            },
        )
    return None


def _assessment(criterion: str, assessments: list[Assessment], at: dt.datetime) -> Failure | None:
    seen = sorted((a for a in assessments if a.at <= at), key=lambda a: a.at)
    if not seen:
        return Failure(criterion, "not_assessed")
    if seen[-1].value not in GOOD_ASSESSMENTS:
        return Failure(criterion, "not_improved", {"value": seen[-1].value, "at": seen[-1].at})
    return None


def negative_run(
    tests: list[TestResult], at: dt.datetime, min_gap: dt.timedelta
) -> list[TestResult]:
    """The negative respiratory tests that count towards discharge at ``at``:
    those since the last positive one, each at least ``min_gap`` after the
    previous one counted (the earliest first, which counts the most)."""
    seen = sorted(
        (t for t in tests if t.respiratory and t.sampled_at <= at),
        # A positive and a negative sampled at the same moment: the positive is later.
        key=lambda t: (t.sampled_at, t.positive),
    )
    run: list[TestResult] = []
    for test in seen:
        if test.positive:
            run = []
        elif not run or test.sampled_at - run[-1].sampled_at >= min_gap:
            run.append(test)
    return run


def _tests(rule: DischargeRule, tests: list[TestResult], at: dt.datetime) -> Failure | None:
    run = negative_run(tests, at, dt.timedelta(hours=rule.tests_min_gap_hours))
    if len(run) >= rule.negative_tests:
        return None
    latest = max(
        (t for t in tests if t.respiratory and t.sampled_at <= at),
        key=lambda t: (t.sampled_at, t.positive),
        default=None,
    )
    return Failure(
        "tests",
        "positive" if latest is not None and latest.positive else "too_few",
        {
            "needed": rule.negative_tests,
            "counted": len(run),
            "hours": rule.tests_min_gap_hours,
            "at": latest.sampled_at if latest is not None else None,
        },
    )


def check_discharge(
    rule: DischargeRule,
    *,
    at: dt.datetime,
    temperatures: list[Reading],
    respiratory: list[Assessment],
    imaging: list[Assessment],
    tests: list[TestResult],
) -> list[Failure]:
    """Every discharge criterion of ``rule`` that fails at ``at`` (empty: discharge allowed)."""
    failures = [_temperature(rule, temperatures, at)]
    if rule.needs_respiratory_improved:
        failures.append(_assessment("respiratory", respiratory, at))
    if rule.needs_imaging_improved:
        failures.append(_assessment("imaging", imaging, at))
    failures.append(_tests(rule, tests, at))
    return [f for f in failures if f is not None]


def monitoring_day(discharged_at: dt.datetime, at: dt.datetime) -> int:
    """The day of post-discharge monitoring ``at`` falls on: 0 the local day of
    discharge, 1 the next local day, and so on (negative before discharge)."""
    return (at.astimezone(LOCAL_TZ).date() - discharged_at.astimezone(LOCAL_TZ).date()).days
