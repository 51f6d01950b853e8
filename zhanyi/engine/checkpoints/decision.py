"""The decision at a check (查验): pass, send to testing, turn back (劝返) or
hand to quarantine, by the protocol's ``CheckpointRule``.

``decide`` is a pure function of the facts and the rule. Every situation that
applies gives a ``Reason``; the strongest outcome wins (quarantine over turn
back over testing over pass) and, among reasons of that outcome, the first
found (code colour, then origin, then destination). The reasons are codes
with values; the app says them in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .rules import CheckpointRule


class Outcome(StrEnum):
    PASS = "pass"
    TESTING = "testing"
    TURN_BACK = "turn_back"
    QUARANTINE = "quarantine"


STRENGTH = {Outcome.PASS: 0, Outcome.TESTING: 1, Outcome.TURN_BACK: 2, Outcome.QUARANTINE: 3}
COLOURS = ("green", "yellow", "red", "none")


@dataclass(frozen=True)
class Facts:
    """What the officer found: the code colour of the people (the worst one
    shown: ``green``, ``yellow``, ``red`` or ``none``), the age in hours of
    their negative test (None: none shown), the tier of the origin and of the
    destination (None: no zone over it) and whether the origin lies outside
    the city (named by its city only)."""

    code_colour: str
    test_age_hours: int | None = None
    origin_tier: str | None = None
    destination_tier: str | None = None
    origin_outside: bool = False

    def __post_init__(self) -> None:
        if self.code_colour not in COLOURS:
            raise ValueError(f"unknown code colour {self.code_colour!r}")
        if self.test_age_hours is not None and self.test_age_hours < 0:
            raise ValueError("a test's age cannot be negative")


@dataclass(frozen=True)
class Reason:
    """One situation that applied: ``code`` (``red_code``, ``yellow_code``,
    ``no_code``, ``from_tier``, ``from_tier_tested``, ``into_tier``,
    ``outside_untested``, ``outside_tested``, ``clear``) and its values."""

    code: str
    outcome: Outcome
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reason: Reason  # the one that decided
    reasons: tuple[Reason, ...]  # every one that applied


def _valid_test(facts: Facts, rule: CheckpointRule) -> bool:
    return facts.test_age_hours is not None and facts.test_age_hours < rule.test_valid_hours


def _code_reasons(facts: Facts, rule: CheckpointRule) -> list[Reason]:
    by_colour = {"red": rule.red_code, "yellow": rule.yellow_code, "none": rule.no_code}
    if facts.code_colour == "green":
        return []
    code = "no_code" if facts.code_colour == "none" else f"{facts.code_colour}_code"
    return [Reason(code, Outcome(by_colour[facts.code_colour]))]


def _origin_reasons(facts: Facts, rule: CheckpointRule) -> list[Reason]:
    tested = _valid_test(facts, rule)
    hours: dict[str, object] = {"hours": rule.test_valid_hours}
    if facts.origin_tier is not None:
        outcome = Outcome(rule.outcome_from(facts.origin_tier))
        if outcome == Outcome.TESTING and tested and facts.origin_tier in rule.cleared_by_test:
            return [Reason("from_tier_tested", Outcome.PASS, {"tier": facts.origin_tier, **hours})]
        return [Reason("from_tier", outcome, {"tier": facts.origin_tier})]
    if facts.origin_outside:
        if tested:
            return [Reason("outside_tested", Outcome.PASS, hours)]
        return [Reason("outside_untested", Outcome(rule.untested_from_outside), hours)]
    return []


def _destination_reasons(facts: Facts, rule: CheckpointRule) -> list[Reason]:
    if facts.destination_tier is None:
        return []
    outcome = Outcome(rule.outcome_into(facts.destination_tier))
    return [Reason("into_tier", outcome, {"tier": facts.destination_tier})]


def decide(facts: Facts, rule: CheckpointRule) -> Decision:
    """The outcome of one check and why."""
    reasons = [
        *_code_reasons(facts, rule),
        *_origin_reasons(facts, rule),
        *_destination_reasons(facts, rule),
    ]
    if not reasons:
        reasons.append(Reason("clear", Outcome.PASS))
    strongest = max(STRENGTH[r.outcome] for r in reasons)
    winner = next(r for r in reasons if STRENGTH[r.outcome] == strongest)
    return Decision(outcome=winner.outcome, reason=winner, reasons=tuple(reasons))
