"""Quarantine days, test days and release from one anchor (zhanyi.engine.release)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from zhanyi.engine import release
from zhanyi.engine.protocol import LOCAL_TZ, load_protocol
from zhanyi.engine.release import Sample

E8 = load_protocol("edition-8")
E9 = load_protocol("edition-9")
SECOND = dt.timedelta(seconds=1)


def local(y, m, d, h=0, mi=0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=LOCAL_TZ)


def dates(tests, stage):
    return [(t.day, t.date.isoformat()) for t in tests if t.stage == stage]


def test_every_close_contact_test_falls_inside_the_quarantine_whatever_the_quarantine_day():
    # Exposed on 10 Sep at 15:00, quarantined on 13 Sep: the 8th edition counts
    # the 14 days from the last exposure, so day 14 is 23 Sep, before the
    # release on 24 Sep 15:00 (before, test days counted from the quarantine
    # put day 14 on 26 Sep, after the release).
    exposed = local(2021, 9, 10, 15)
    start = release.anchor(
        E8.quarantine, last_exposure_at=exposed, quarantined_at=local(2021, 9, 13, 9)
    )
    assert start == exposed
    tests = release.test_days(E8.quarantine, E8.test_days, "close", start)
    assert dates(tests, "quarantine") == [
        (1, "2021-09-10"),
        (4, "2021-09-13"),
        (7, "2021-09-16"),
        (14, "2021-09-23"),
    ]
    end = release.quarantine_end(E8.quarantine.stages("close"), start)
    assert end == local(2021, 9, 24, 15)
    assert all(t.end <= end for t in tests if t.stage == "quarantine")
    # Home health monitoring from the release: its days 2 and 7.
    assert dates(tests, "home_health_monitoring") == [(2, "2021-09-25"), (7, "2021-09-30")]
    watch_end = end + dt.timedelta(days=7)
    assert all(t.end <= watch_end for t in tests)


def test_a_file_that_counts_from_the_quarantine_moves_test_days_and_days_together():
    rules = replace(E8.quarantine, count_from="quarantine")
    start = release.anchor(
        rules, last_exposure_at=local(2021, 9, 10, 15), quarantined_at=local(2021, 9, 13, 9)
    )
    assert start == local(2021, 9, 13, 9)
    tests = release.test_days(rules, E8.test_days, "close", start)
    assert dates(tests, "quarantine")[-1] == (14, "2021-09-26")
    assert release.quarantine_end(rules.stages("close"), start) == local(2021, 9, 27, 9)


def test_a_release_keeps_the_home_monitoring_tests_counted_from_it():
    start = local(2021, 9, 10, 15)
    released = local(2021, 9, 20, 10)  # released early
    tests = release.test_days(E8.quarantine, E8.test_days, "close", start, released_at=released)
    assert dates(tests, "quarantine") == []
    assert dates(tests, "home_health_monitoring") == [(2, "2021-09-21"), (7, "2021-09-26")]
    # A secondary contact has no monitoring tests after release.
    assert (
        release.test_days(E8.quarantine, E8.test_days, "secondary", start, released_at=released)
        == []
    )


def test_the_ninth_edition_tests_and_days():
    start = local(2022, 7, 1, 20)
    tests = release.test_days(E9.quarantine, E9.test_days, "close", start)
    assert dates(tests, "quarantine") == [
        (1, "2022-07-01"),
        (2, "2022-07-02"),
        (3, "2022-07-03"),
        (5, "2022-07-05"),
        (7, "2022-07-07"),
    ]
    assert dates(tests, "home_health_monitoring") == [(3, "2022-07-10")]


def neg(at, reagent=""):
    return Sample(at, "negative", reagent)


def test_an_eighth_edition_close_contact_needs_two_final_samples_with_different_reagents():
    start = local(2021, 9, 10, 15)
    due = local(2021, 9, 24, 15)
    same = [neg(local(2021, 9, 23, 9), "A"), neg(local(2021, 9, 23, 9, 5), "A")]
    two = [neg(local(2021, 9, 23, 9), "A"), neg(local(2021, 9, 23, 9, 5), "B")]
    check = release.release_check(E8.quarantine, E8.release, "close", start, samples=two, now=due)
    assert check.may_release and check.due_at == due
    early = release.release_check(
        E8.quarantine, E8.release, "close", start, samples=two, now=due - SECOND
    )
    assert early.missing == ("days",)
    reagents = release.release_check(
        E8.quarantine, E8.release, "close", start, samples=same, now=due
    )
    assert reagents.missing == ("different_reagents",)
    one = release.release_check(E8.quarantine, E8.release, "close", start, samples=two[:1], now=due)
    assert one.missing == ("final_samples",)


def test_the_ninth_edition_needs_no_second_reagent():
    assert (E9.release.close_final_samples, E9.release.close_different_reagents) == (1, False)
    start = local(2022, 7, 1, 20)
    due = start + dt.timedelta(days=7)
    check = release.release_check(
        E9.quarantine, E9.release, "close", start, samples=[neg(local(2022, 7, 7, 9))], now=due
    )
    assert check.may_release


def test_a_secondary_contact_waits_for_their_close_contacts_tests_and_follows_a_positive():
    start = local(2021, 9, 12, 10)
    due = start + dt.timedelta(days=7)
    theirs = [neg(local(2021, 9, 13, 9)), neg(local(2021, 9, 16, 9))]
    ok = release.release_check(
        E8.quarantine, E8.release, "secondary", start, close_contact_samples=theirs, now=due
    )
    assert ok.may_release and ok.managed_as == "secondary"
    waiting = release.release_check(
        E8.quarantine, E8.release, "secondary", start, close_contact_samples=theirs[:1], now=due
    )
    assert waiting.missing == ("close_contact_tests",)
    positive = [neg(local(2021, 9, 13, 9)), Sample(local(2021, 9, 16, 9), "positive")]
    managed = release.release_check(
        E8.quarantine, E8.release, "secondary", start, close_contact_samples=positive, now=due
    )
    assert managed.managed_as == "close"
    assert managed.due_at == start + dt.timedelta(days=14)
    assert not managed.may_release
