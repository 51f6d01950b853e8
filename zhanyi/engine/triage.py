"""Pre-triage at a fever clinic (预检分诊), framework-free.

Every patient of a fever clinic is triaged at its separate entrance before a
doctor sees them: the temperature, respiratory symptoms, the epidemiological
history (a case, contact, risk area or pushed list in the last 14 days) and
the health code. ``triage`` turns those facts into a level and the reasons
for it, in keys the app labels:

- ``suspected``: an epidemiological history, or a red or yellow code: a room
  at once, a test, and the case reported if it turns positive;
- ``fever``: a temperature at or above the protocol's fever line, or
  respiratory symptoms: a room and a test;
- ``other``: none of these: tested, then the general outpatient department.

Every level is tested (the national notice of July 2020: every patient of a
fever clinic is tested); the level decides how soon a room is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

LEVELS = ("suspected", "fever", "other")


@dataclass(frozen=True)
class TriageFacts:
    temperature: Decimal | None
    respiratory_symptoms: bool
    epidemiological_history: bool
    code_colour: str  # green, yellow, red or unknown


@dataclass(frozen=True)
class Triage:
    level: str
    #: why, as keys: "history", "code_red", "code_yellow", "fever", "symptoms"
    reasons: tuple[str, ...]


def triage(facts: TriageFacts, *, fever_celsius: float) -> Triage:
    """The level of a patient at pre-triage and the reasons, most serious first."""
    reasons: list[str] = []
    if facts.epidemiological_history:
        reasons.append("history")
    if facts.code_colour in ("red", "yellow"):
        reasons.append(f"code_{facts.code_colour}")
    suspected = bool(reasons)
    if facts.temperature is not None and facts.temperature >= Decimal(str(fever_celsius)):
        reasons.append("fever")
    if facts.respiratory_symptoms:
        reasons.append("symptoms")
    if suspected:
        return Triage("suspected", tuple(reasons))
    if reasons:
        return Triage("fever", tuple(reasons))
    return Triage("other", ())
