"""The discharge criteria (出院标准) of the 8th edition, at their boundaries."""

from __future__ import annotations

import dataclasses
import datetime as dt

from zhanyi.engine.care import Assessment, Reading, TestResult, check_discharge, monitoring_day
from zhanyi.engine.protocol import LOCAL_TZ, load_protocol

RULE = load_protocol("edition-8").discharge
T0 = dt.datetime(2021, 9, 17, 8, 0, tzinfo=LOCAL_TZ)


def h(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


GOOD = {
    "temperatures": [Reading(h(0), 38.4), Reading(h(24), 36.5), Reading(h(96), 36.7)],
    "respiratory": [Assessment(h(90), "improved")],
    "imaging": [Assessment(h(90), "improved")],
    "tests": [TestResult(h(72), False), TestResult(h(96), False)],
}


def failing(at: dt.datetime | None = None, **facts) -> dict[str, str]:
    at = at or h(100)
    return {f.criterion: f.reason for f in check_discharge(RULE, at=at, **{**GOOD, **facts})}


def test_the_protocol_file_gives_the_8th_editions_numbers():
    assert (RULE.normal_temperature_days, RULE.fever_celsius) == (3, 37.3)
    assert (RULE.negative_tests, RULE.tests_min_gap_hours, RULE.monitoring_days) == (2, 24, 14)
    assert RULE.needs_respiratory_improved and RULE.needs_imaging_improved


def test_all_criteria_hold():
    assert failing() == {}


def test_temperature_normal_exactly_three_days_holds_and_a_minute_less_fails():
    exact = [Reading(h(0), 38.0), Reading(h(24), 36.8), Reading(h(96), 36.8)]
    assert "temperature" not in failing(temperatures=exact)
    short = [
        Reading(h(0), 38.0),
        Reading(h(24) + dt.timedelta(minutes=1), 36.8),
        Reading(h(96), 36.8),
    ]
    assert failing(temperatures=short)["temperature"] == "too_short"


def test_37_3_is_a_fever_and_37_2_is_not():
    latest_fever = [Reading(h(0), 36.5), Reading(h(96), 37.3)]
    assert failing(temperatures=latest_fever)["temperature"] == "fever"
    # A 37.3 in the middle restarts the count: only 24 h since.
    middle = [Reading(h(0), 36.5), Reading(h(72), 37.3), Reading(h(96), 36.6)]
    assert failing(temperatures=middle)["temperature"] == "too_short"
    normal = [Reading(h(0), 37.2), Reading(h(72), 37.2)]
    assert "temperature" not in failing(temperatures=normal)


def test_no_temperature_fails_and_readings_after_the_moment_do_not_count():
    assert failing(temperatures=[])["temperature"] == "none_recorded"
    assert failing(at=h(50))["temperature"] == "too_short"


def test_symptoms_and_imaging_must_be_improved_or_absent_at_the_latest_assessment():
    assert failing(respiratory=[])["respiratory"] == "not_assessed"
    worse_after = [Assessment(h(10), "improved"), Assessment(h(90), "unchanged")]
    assert failing(respiratory=worse_after)["respiratory"] == "not_improved"
    assert "imaging" not in failing(imaging=[Assessment(h(90), "none")])
    assert failing(imaging=[Assessment(h(90), "worse")])["imaging"] == "not_improved"


def test_a_rule_without_the_imaging_criterion_does_not_ask_for_it():
    rule = dataclasses.replace(RULE, needs_imaging_improved=False)
    facts = {**GOOD, "imaging": []}
    assert check_discharge(rule, at=h(100), **facts) == []


def test_two_negatives_exactly_24_h_apart_hold_and_23_h_59_fail():
    exact = [TestResult(h(48), False), TestResult(h(72), False)]
    assert "tests" not in failing(tests=exact)
    close = [TestResult(h(48) + dt.timedelta(minutes=1), False), TestResult(h(72), False)]
    assert failing(tests=close)["tests"] == "too_few"


def test_a_negative_too_close_is_skipped_not_a_break_in_the_run():
    tests = [TestResult(h(40), False), TestResult(h(50), False), TestResult(h(64), False)]
    assert "tests" not in failing(tests=tests)


def test_a_positive_restarts_the_run_and_only_respiratory_samples_count():
    tests = [TestResult(h(0), False), TestResult(h(30), True), TestResult(h(60), False)]
    assert failing(tests=tests)["tests"] == "too_few"
    assert failing(tests=[*GOOD["tests"], TestResult(h(99), True)])["tests"] == "positive"
    stool = [TestResult(h(48), False, respiratory=False), TestResult(h(96), False)]
    assert failing(tests=stool)["tests"] == "too_few"
    stool_positive = [*GOOD["tests"], TestResult(h(99), True, respiratory=False)]
    assert "tests" not in failing(tests=stool_positive)


def test_a_positive_and_a_negative_sampled_together_count_as_positive_last():
    tests = [TestResult(h(48), False), TestResult(h(72), False), TestResult(h(72), True)]
    assert failing(tests=tests)["tests"] == "positive"


def test_monitoring_days_count_local_calendar_days_from_discharge():
    discharged = dt.datetime(2021, 9, 20, 23, 30, tzinfo=LOCAL_TZ)
    assert monitoring_day(discharged, discharged) == 0
    assert monitoring_day(discharged, discharged + dt.timedelta(minutes=31)) == 1
    assert monitoring_day(discharged, dt.datetime(2021, 10, 4, 23, 0, tzinfo=LOCAL_TZ)) == 14
