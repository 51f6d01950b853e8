"""Health-code rules (健康码): every colour, its rule and its edges. No Django."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from zhanyi.engine.codes import (
    ArrivalFact,
    CaseFact,
    CodeRules,
    ContactFact,
    HealthCodeRules,
    PersonFacts,
    QuarantineFact,
    decide,
    decide_many,
)
from zhanyi.engine.codes import (
    TestFact as ResultFact,
)
from zhanyi.engine.protocol import load_protocol

T0 = dt.datetime(2021, 9, 10, 8, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
E8 = CodeRules.from_protocol(load_protocol("edition-8"))
E9 = CodeRules.from_protocol(load_protocol("edition-9"))


def facts(**lists) -> PersonFacts:
    return PersonFacts(person_id=1, **{k: tuple(v) for k, v in lists.items()})


def close(exposed=T0, **kw) -> ContactFact:
    return ContactFact(kind="close", last_exposure_at=exposed, identified_at=exposed + HOUR, **kw)


def neg(at, pooled=False) -> ResultFact:
    return ResultFact(sampled_at=at, result="negative", pooled=pooled)


def pos(at, pooled=False) -> ResultFact:
    return ResultFact(sampled_at=at, result="positive", pooled=pooled)


def test_a_person_with_no_facts_is_green_with_no_until():
    code = decide(facts(), E8, T0)
    assert (code.colour, code.rule, code.until, code.review_at) == ("green", "none", None, None)


def test_an_active_case_is_red_until_released():
    case = CaseFact(classification="confirmed", reported_at=T0)
    code = decide(facts(cases=[case]), E8, T0 + DAY)
    assert (code.colour, code.rule, code.until) == ("red", "case.active", None)
    assert "confirmed case" in code.reason


def test_a_released_case_is_yellow_for_its_monitoring_days_then_green():
    released = T0 + 20 * DAY
    case = CaseFact(classification="asymptomatic", reported_at=T0, released_at=released)
    f = facts(cases=[case], tests=[pos(T0 - DAY)])
    just_after = decide(f, E8, released)
    assert (just_after.colour, just_after.rule) == ("yellow", "case.recovered")
    assert just_after.until == released + 14 * DAY
    assert decide(f, E8, released - HOUR).rule == "case.active"
    # The positive test that made the person a case does not keep them red.
    assert decide(f, E8, released + 14 * DAY).colour == "green"


def test_a_positive_single_tube_is_red_even_before_a_case_is_reported():
    code = decide(facts(tests=[pos(T0)]), E8, T0 + HOUR)
    assert (code.colour, code.rule) == ("red", "test.positive")


def test_a_result_sampled_after_now_does_not_count_yet():
    assert decide(facts(tests=[pos(T0 + HOUR)]), E8, T0).colour == "green"


def test_a_positive_pool_is_red_until_the_single_tube_is_negative():
    pool = pos(T0, pooled=True)
    assert decide(facts(tests=[pool]), E8, T0 + HOUR).rule == "pool.positive"
    # A single tube sampled before the pool does not clear it.
    assert decide(facts(tests=[pool, neg(T0 - HOUR)]), E8, T0 + HOUR).rule == "pool.positive"
    cleared = decide(facts(tests=[pool, neg(T0 + 2 * HOUR)]), E8, T0 + 3 * HOUR)
    assert cleared.colour == "green"


def test_a_positive_pool_with_a_positive_single_tube_stays_red_by_the_test_rule():
    code = decide(facts(tests=[pos(T0, pooled=True), pos(T0 + HOUR)]), E8, T0 + 2 * HOUR)
    assert (code.colour, code.rule) == ("red", "test.positive")


def test_a_close_contact_is_red_for_14_days_then_yellow_for_7_then_green():
    f = facts(contacts=[close()])
    day13 = decide(f, E8, T0 + 14 * DAY - dt.timedelta(seconds=1))
    assert (day13.colour, day13.rule, day13.until) == ("red", "contact.close", T0 + 14 * DAY)
    day14 = decide(f, E8, T0 + 14 * DAY)
    assert (day14.colour, day14.rule) == ("yellow", "contact.close.monitoring")
    assert day14.until == T0 + 21 * DAY
    assert decide(f, E8, T0 + 21 * DAY).colour == "green"


def test_a_contact_counts_only_from_when_it_was_identified():
    contact = ContactFact(kind="close", last_exposure_at=T0, identified_at=T0 + DAY)
    before = decide(facts(contacts=[contact]), E8, T0 + HOUR)
    assert before.colour == "green"
    assert before.review_at == T0 + DAY  # the scheduler looks again then


def test_a_released_close_contact_goes_to_monitoring_from_its_release():
    released = T0 + 10 * DAY
    f = facts(contacts=[close(released_at=released)])
    code = decide(f, E8, released + HOUR)
    assert (code.colour, code.rule, code.until) == (
        "yellow",
        "contact.close.monitoring",
        released + 7 * DAY,
    )
    assert decide(f, E8, released - HOUR).colour == "red"


def test_a_late_release_keeps_the_close_contact_red_until_it_happens():
    released = T0 + 16 * DAY
    f = facts(contacts=[close(released_at=released)])
    assert decide(f, E8, T0 + 15 * DAY).rule == "contact.close"


def test_a_secondary_contact_is_red_for_7_days_then_green_under_the_8th_edition():
    sec = ContactFact(kind="secondary", last_exposure_at=T0, identified_at=T0)
    assert decide(facts(contacts=[sec]), E8, T0 + 7 * DAY - HOUR).rule == "contact.secondary"
    assert decide(facts(contacts=[sec]), E8, T0 + 7 * DAY).colour == "green"


def test_the_9th_edition_changes_the_days_not_the_code():
    f = facts(contacts=[close()])
    assert decide(f, E9, T0 + 7 * DAY).rule == "contact.close.monitoring"
    assert decide(f, E9, T0 + 10 * DAY).colour == "green"
    sec = ContactFact(kind="secondary", last_exposure_at=T0, identified_at=T0)
    code = decide(facts(contacts=[sec]), E9, T0 + DAY)
    assert (code.colour, code.rule) == ("red", "contact.secondary")
    assert "home quarantine" in code.reason


def test_centralised_quarantine_is_red_and_home_health_monitoring_yellow():
    q = QuarantineFact(kind="centralised", start=T0, end=T0 + 5 * DAY)
    m = QuarantineFact(kind="home_health_monitoring", start=T0 + 5 * DAY, end=T0 + 8 * DAY)
    f = facts(quarantines=[q, m])
    assert decide(f, E8, T0 - HOUR).colour == "green"
    assert decide(f, E8, T0 - HOUR).review_at == T0
    assert decide(f, E8, T0).rule == "quarantine.centralised"
    assert decide(f, E8, T0 + 5 * DAY).rule == "quarantine.home_health_monitoring"
    assert decide(f, E8, T0 + 8 * DAY).colour == "green"


def test_an_open_ended_home_quarantine_is_red_with_no_until():
    q = QuarantineFact(kind="home", start=T0)
    code = decide(facts(quarantines=[q]), E8, T0 + 30 * DAY)
    assert (code.colour, code.rule, code.until) == ("red", "quarantine.home", None)


def companion(at=T0, **kw):
    return ContactFact(kind="companion", last_exposure_at=at, identified_at=at + DAY, **kw)


def test_a_companion_is_yellow_until_two_negative_tests_a_day_apart():
    c = companion()
    now = T0 + 3 * DAY
    assert decide(facts(contacts=[c]), E8, now).rule == "contact.companion"
    # Two negatives less than 24 h apart count once.
    close_together = [neg(T0 + DAY), neg(T0 + DAY + 23 * HOUR)]
    code = decide(facts(contacts=[c], tests=close_together), E8, now)
    assert code.rule == "contact.companion" and "1 of 2" in code.reason
    # A negative sampled before being with the case counts for nothing.
    early = [neg(T0 - HOUR), neg(T0 + DAY)]
    assert decide(facts(contacts=[c], tests=early), E8, now).colour == "yellow"
    apart = [neg(T0 + DAY), neg(T0 + 2 * DAY)]
    assert decide(facts(contacts=[c], tests=apart), E8, now).colour == "green"


def test_a_released_companion_is_green():
    c = companion(released_at=T0 + 2 * DAY)
    assert decide(facts(contacts=[c]), E8, T0 + 2 * DAY).colour == "green"


def test_an_arrival_from_a_risk_area_is_yellow_until_tested_negative_not_by_time_alone():
    # The code table (PROTOCOLS.md): an arrival from a medium/high-risk area is
    # yellow, back to green when the tests are negative; time alone does not.
    a = ArrivalFact(arrived_at=T0, risk_level="medium", origin="莆田市仙游县")
    code = decide(facts(arrivals=[a]), E8, T0 + HOUR)
    assert (code.colour, code.rule, code.until) == ("yellow", "arrival.risk_area", None)
    assert "莆田市仙游县" in code.reason
    tested = [neg(T0 + HOUR), neg(T0 + DAY + HOUR)]
    assert decide(facts(arrivals=[a], tests=tested), E8, T0 + 2 * DAY).colour == "green"
    assert decide(facts(arrivals=[a]), E8, T0 + 14 * DAY).colour == "yellow"
    assert decide(facts(arrivals=[a]), E8, T0 + 400 * DAY).colour == "yellow"
    # 24 h apart, to the second.
    gap = [neg(T0 + HOUR), neg(T0 + DAY + HOUR - dt.timedelta(seconds=1))]
    assert decide(facts(arrivals=[a], tests=gap), E8, T0 + 3 * DAY).colour == "yellow"


def test_a_companion_is_green_at_the_protocols_end_without_tests():
    # Chengdu's companions: yellow until the tests, or at the latest
    # [health_codes] companion_end_days after they were last together.
    c = companion()
    end = T0 + 14 * DAY
    code = decide(facts(contacts=[c]), E8, end - dt.timedelta(seconds=1))
    assert (code.colour, code.until) == ("yellow", end)
    assert decide(facts(contacts=[c]), E8, end).colour == "green"
    assert decide(facts(contacts=[c]), E8, T0 + 1000 * DAY).colour == "green"
    forever = CodeRules(replace(E8.codes, companion_end_days=0), E8.quarantine)
    assert decide(facts(contacts=[c]), forever, T0 + 1000 * DAY).colour == "yellow"


def test_a_contacts_code_counts_from_the_protocols_anchor():
    # Exposed at T0, quarantined two days later: the 8th edition counts from
    # the last exposure (the test days too); a file that counts from the
    # quarantine moves both.
    c = close(T0, quarantined_at=T0 + 2 * DAY)
    assert decide(facts(contacts=[c]), E8, T0 + 14 * DAY - HOUR).rule == "contact.close"
    assert decide(facts(contacts=[c]), E8, T0 + 14 * DAY).rule == "contact.close.monitoring"
    quarantine = replace(load_protocol("edition-8").quarantine, count_from="quarantine")
    by_quarantine = CodeRules(E8.codes, quarantine)
    code = decide(facts(contacts=[c]), by_quarantine, T0 + 14 * DAY)
    assert (code.rule, code.until) == ("contact.close", T0 + 16 * DAY)


def test_a_suspected_case_is_red():
    case = CaseFact(classification="suspected", reported_at=T0)
    code = decide(facts(cases=[case]), E8, T0 + DAY)
    assert (code.colour, code.rule) == ("red", "case.active")
    assert "suspected case" in code.reason


def test_an_arrival_level_left_out_of_the_rules_gets_no_colour():
    rules = CodeRules(replace(E8.codes, arrival_risk_levels=("high",)), E8.quarantine)
    a = ArrivalFact(arrived_at=T0, risk_level="medium")
    assert decide(facts(arrivals=[a]), rules, T0 + HOUR).colour == "green"


def test_red_wins_over_yellow_and_the_until_is_the_red_rules():
    a = ArrivalFact(arrived_at=T0, risk_level="high")
    f = facts(arrivals=[a], contacts=[close(T0 + DAY)])
    code = decide(f, E8, T0 + 2 * DAY)
    assert (code.colour, code.rule, code.until) == ("red", "contact.close", T0 + 15 * DAY)
    assert code.review_at == T0 + 15 * DAY  # the arrival has no end by the clock


def test_a_secondary_contact_upgraded_to_close_is_decided_as_close():
    sec = ContactFact(kind="secondary", last_exposure_at=T0, identified_at=T0)
    upgraded = close(T0)
    code = decide(facts(contacts=[sec, upgraded]), E8, T0 + 8 * DAY)
    assert (code.rule, code.until) == ("contact.close", T0 + 14 * DAY)


def test_colours_are_data_a_protocol_may_change():
    rules = CodeRules(replace(E8.codes, companion_colour="red"), E8.quarantine)
    assert decide(facts(contacts=[companion()]), rules, T0 + DAY).colour == "red"


def test_a_bad_colour_in_the_protocol_is_refused_with_its_name():
    with pytest.raises(ValueError, match=r"health_codes\.case_colour"):
        HealthCodeRules(case_colour="purple")
    with pytest.raises(ValueError, match="arrival_risk_levels"):
        HealthCodeRules(arrival_risk_levels=("low",))
    with pytest.raises(ValueError, match="companion_negative_tests"):
        HealthCodeRules(companion_negative_tests=-1)


def test_naive_datetimes_are_refused_naming_the_field():
    naive = T0.replace(tzinfo=None)
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        decide(facts(), E8, naive)
    with pytest.raises(ValueError, match=r"arrival\.arrived_at"):
        decide(facts(arrivals=[ArrivalFact(arrived_at=naive, risk_level="high")]), E8, T0)


def test_decide_many_decides_each_person():
    people = [PersonFacts(person_id=1), PersonFacts(person_id=2, tests=(pos(T0),))]
    codes = decide_many(people, E8, T0 + HOUR)
    assert {pid: c.colour for pid, c in codes.items()} == {1: "green", 2: "red"}


def test_decide_many_decides_once_for_the_same_facts_and_agrees_with_decide():
    def person(pid, exposed, source, **kw):
        return PersonFacts(
            person_id=pid,
            contacts=(close(exposed, source=source),),
            arrivals=(ArrivalFact(arrived_at=T0, risk_level="high", source=source),),
            **kw,
        )

    people = [
        person(1, T0, "tracing.contact:1"),
        person(2, T0, "tracing.contact:2"),  # the same facts, another source
        person(3, T0 + HOUR, "tracing.contact:3"),
        person(4, T0, "tracing.contact:4", tests=(neg(T0 + DAY),)),
        PersonFacts(person_id=5),
    ]
    now = T0 + 3 * DAY
    codes = decide_many(people, E8, now)
    assert codes == {p.person_id: decide(p, E8, now) for p in people}
    assert codes[1] is codes[2]  # decided once
    assert codes[3].until != codes[1].until


def test_the_health_code_companion_tests_match_the_companion_rule():
    protocol = load_protocol("edition-8")
    assert protocol.health_codes.companion_negative_tests == protocol.companion.tests_required
    assert protocol.health_codes.companion_test_gap_hours == protocol.companion.tests_min_gap_hours


def test_a_contact_traced_under_the_9th_edition_keeps_its_days_under_8th_edition_rules():
    rules = CodeRules.from_protocol(load_protocol("edition-8"), [load_protocol("edition-9")])
    nine = ContactFact(kind="close", last_exposure_at=T0, identified_at=T0, protocol="edition-9")
    eight = replace(nine, protocol="edition-8")
    assert decide(facts(contacts=[nine]), rules, T0 + 8 * DAY).rule == "contact.close.monitoring"
    assert decide(facts(contacts=[eight]), rules, T0 + 8 * DAY).rule == "contact.close"
