"""The checkpoint decision and the plate reader, as tables (no Django)."""

from __future__ import annotations

import dataclasses

import pytest

from zhanyi.engine.checkpoints import CheckpointRule, Facts, PlateError, decide, parse_plate
from zhanyi.engine.protocol import load_protocol

RULE = load_protocol("edition-8").checkpoints

# colour, test age (h), origin tier, destination tier, outside → outcome, deciding reason
DECISIONS = [
    ("green", None, None, None, False, "pass", "clear"),
    ("green", 12, None, None, False, "pass", "clear"),
    ("yellow", None, None, None, False, "testing", "yellow_code"),
    ("red", 5, None, None, False, "quarantine", "red_code"),
    ("none", None, None, None, False, "testing", "no_code"),
    ("green", None, "sealed", None, False, "quarantine", "from_tier"),
    ("green", 2, "high_risk", None, False, "quarantine", "from_tier"),
    ("green", 2, "controlled", None, False, "turn_back", "from_tier"),
    ("green", 2, "medium_risk", None, False, "turn_back", "from_tier"),
    ("green", None, "prevention", None, False, "testing", "from_tier"),
    ("green", 47, "prevention", None, False, "pass", "from_tier_tested"),
    ("green", 48, "prevention", None, False, "testing", "from_tier"),
    ("green", None, None, "sealed", False, "turn_back", "into_tier"),
    ("green", None, None, "controlled", False, "pass", "into_tier"),
    ("green", None, None, None, True, "testing", "outside_untested"),
    ("green", 30, None, None, True, "pass", "outside_tested"),
    ("green", 72, None, None, True, "testing", "outside_untested"),
    # the strongest wins; among equals, the code colour first
    ("yellow", None, "controlled", None, False, "turn_back", "from_tier"),
    ("red", None, "controlled", "sealed", False, "quarantine", "red_code"),
    ("yellow", None, "prevention", None, False, "testing", "yellow_code"),
    ("green", None, "controlled", "sealed", False, "turn_back", "from_tier"),
]


@pytest.mark.parametrize(
    ("colour", "age", "origin", "dest", "outside", "outcome", "reason"), DECISIONS
)
def test_the_decision_follows_the_table(colour, age, origin, dest, outside, outcome, reason):
    facts = Facts(colour, age, origin, dest, outside)
    decision = decide(facts, RULE)
    assert (decision.outcome, decision.reason.code) == (outcome, reason)
    assert decision.reason in decision.reasons


def test_the_rule_is_data_from_the_protocol():
    lenient = dataclasses.replace(RULE, from_controlled="testing", cleared_by_test=("controlled",))
    facts = Facts("green", 10, "controlled")
    assert decide(facts, RULE).outcome == "turn_back"
    assert decide(facts, lenient).outcome == "pass"


def test_a_rule_naming_an_unknown_outcome_is_refused():
    with pytest.raises(ValueError, match=r"checkpoints\.from_sealed"):
        CheckpointRule(from_sealed="shoot")
    with pytest.raises(ValueError, match="unknown tiers"):
        CheckpointRule(cleared_by_test=("moon",))


PLATES = [
    ("闽E12345", "闽E12345", False),
    (" 闽e·123 45 ", "闽E12345", False),
    ("闽Ｅ１２３４５", "闽E12345", False),  # full-width
    ("闽ED12345", "闽ED12345", True),  # new energy, small
    ("粤B12345F", "粤B12345F", True),  # new energy, large
    ("闽E1234学", "闽E1234学", False),
    ("闽E-A8K2P", "闽EA8K2P", False),
]


@pytest.mark.parametrize(("raw", "number", "new_energy"), PLATES)
def test_plates_are_read_and_normalised(raw, number, new_energy):
    plate = parse_plate(raw)
    assert (plate.number, plate.new_energy) == (number, new_energy)


BAD_PLATES = [
    ("", "empty"),
    ("E12345", "province"),
    ("X闽12345", "province"),
    ("闽E1234", "length"),
    ("闽E1234567", "length"),
    ("闽112345", "office"),
    ("闽E12O45", "letter_io"),
    ("闽E12#45", "character"),
    ("闽EA12345", "new_energy"),
]


@pytest.mark.parametrize(("raw", "code"), BAD_PLATES)
def test_a_malformed_plate_says_why(raw, code):
    with pytest.raises(PlateError) as error:
        parse_plate(raw)
    assert error.value.code == code
