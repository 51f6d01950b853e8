"""The zone rules without Django: the protocol's tiers, proposals, the countdown."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from zhanyi.engine.protocol import load_protocol
from zhanyi.engine.zones import CaseLocation, LiftingInputs, TierRule, check_lifting, propose_zones

T0 = dt.datetime(2021, 9, 16, 10, tzinfo=dt.UTC)
CITY = "/3506/"
TAITOU, LONGHAI, FAR = "/3506/350681/", "/3506/350604/", "/3506/350626/"
HOME = TAITOU + "t1/fulong/"
COUNTIES = {TAITOU: (117.92, 24.49), LONGHAI: (117.82, 24.45), FAR: (117.43, 23.70)}


def locations() -> list[CaseLocation]:
    return [
        CaseLocation(1, "residence", HOME + "g1/", T0, place_id=7, compound=True),
        CaseLocation(1, "trajectory", TAITOU + "t2/market/", T0, place_id=9),
        CaseLocation(2, "residence", HOME, T0),
    ]


def test_the_protocol_proposes_the_articles_rings():
    rules = load_protocol("edition-8").zones
    proposed = {p.tier: p for p in propose_zones(locations(), rules, COUNTIES)}
    assert set(proposed) == {"sealed", "controlled", "prevention", "medium_risk"}
    # The compound for the case living in one; the community for the other.
    assert proposed["sealed"].place_ids == (7,)
    assert proposed["sealed"].area_paths == (HOME,)
    assert proposed["medium_risk"].area_paths == (HOME, TAITOU + "t2/market/")
    assert proposed["controlled"].area_paths == (TAITOU,)
    # Neighbours within the radius; the far county is not.
    assert proposed["prevention"].area_paths == (LONGHAI,)
    assert proposed["sealed"].case_ids == (1, 2)


def test_no_cases_no_proposal():
    assert propose_zones([], load_protocol().zones, COUNTIES) == []


def test_a_zero_radius_takes_every_other_county():
    rules = load_protocol().zones
    wide = dataclasses.replace(rules, prevention=dataclasses.replace(rules.prevention, radius_km=0))
    proposed = {p.tier: p for p in propose_zones(locations(), wide, COUNTIES)}
    assert proposed["prevention"].area_paths == (LONGHAI, FAR)


def test_the_countdown_runs_from_the_latest_case():
    rule = TierRule(days_without_case=14, negative_round_within_days=2, round_share=0.9)
    base = LiftingInputs(
        now=T0 + dt.timedelta(days=10),
        started_at=T0,
        last_case_at=T0 + dt.timedelta(days=3),
        residents=10,
        tested_negative=9,
        tested_positive=0,
    )
    check = check_lifting(rule, base)
    assert not check.ready and check.days_left == 7
    assert check.clock_ends_at == T0 + dt.timedelta(days=17)
    later = dataclasses.replace(base, now=T0 + dt.timedelta(days=17))
    assert check_lifting(rule, later).ready
    positive = dataclasses.replace(later, tested_positive=1)
    assert check_lifting(rule, positive).waiting_for == (("round", 0),)
    short = dataclasses.replace(later, tested_negative=8)
    assert check_lifting(rule, short).waiting_for == (("round", 1),)


def test_a_prevention_zone_waits_for_the_zones_inside():
    rule = TierRule(lifts_after_inner=True)
    inputs = LiftingInputs(T0 + dt.timedelta(days=20), T0, None, 0, 0, 0, inner_in_force=2)
    assert check_lifting(rule, inputs).waiting_for == (("inner", 2),)


def test_a_misspelt_tier_rule_is_refused(tmp_path):
    text = (load_protocol().path).read_text().replace('movement = "stay_home"', 'movement = "home"')
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    with pytest.raises(ValueError, match=r"\[zones.sealed\] movement: 'home' is not one of"):
        load_protocol(bad)


def test_a_tier_waits_for_its_contacts_when_its_rule_says_so():
    rule = TierRule(days_without_case=14, contacts_released=True)
    start = dt.datetime(2021, 9, 1, tzinfo=dt.UTC)
    inputs = LiftingInputs(
        now=start + dt.timedelta(days=20),
        started_at=start,
        last_case_at=None,
        residents=0,
        tested_negative=0,
        tested_positive=0,
        contacts_open=2,
    )
    assert check_lifting(rule, inputs).waiting_for == (("contacts", 2),)
    assert check_lifting(dataclasses.replace(rule, contacts_released=False), inputs).ready
    assert check_lifting(rule, dataclasses.replace(inputs, contacts_open=0)).ready
    assert load_protocol().zones.sealed.contacts_released
    assert not load_protocol().zones.prevention.contacts_released
