"""Health codes (健康码): a person's facts → a colour, the rule that decided it, until when.

``facts`` holds the input contract every app contributes to; ``rules`` holds
the pure rule function (``decide``, ``decide_many``) that turns facts into a
code, with the ``[health_codes]`` protocol section it reads.
"""

from .facts import ArrivalFact, CaseFact, ContactFact, PersonFacts, QuarantineFact, TestFact
from .rules import (
    COLOURS,
    RULE_ORDER,
    CodeDecision,
    CodeRules,
    HealthCodeRules,
    decide,
    decide_many,
)

__all__ = [
    "COLOURS",
    "RULE_ORDER",
    "ArrivalFact",
    "CaseFact",
    "CodeDecision",
    "CodeRules",
    "ContactFact",
    "HealthCodeRules",
    "PersonFacts",
    "QuarantineFact",
    "TestFact",
    "decide",
    "decide_many",
]
