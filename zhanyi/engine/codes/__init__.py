"""Health codes (健康码): a person's facts → a colour, the rule that decided it, until when.

``facts`` holds the input contract every app contributes to; the rule function
that turns facts into a code lives beside it.
"""

from .facts import ArrivalFact, CaseFact, ContactFact, PersonFacts, QuarantineFact, TestFact

__all__ = ["ArrivalFact", "CaseFact", "ContactFact", "PersonFacts", "QuarantineFact", "TestFact"]
