"""What the engine's codes say to a user, in their language: a plate's refusal
and the reasons of a decision."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from zhanyi.engine.checkpoints import PlateError
from zhanyi.places.risk import Tier

from .models import Outcome


def plate_refusal(error: PlateError, raw: str) -> str:
    """Why ``raw`` is not a plate, naming what was typed."""
    p: dict[str, Any] = {"plate": raw.strip(), **error.params}
    if error.code == "empty":
        return _("Type the plate.")
    if error.code == "province":
        return (
            _(
                "%(plate)s is not a plate: it must start with a province's character"
                " (闽, 粤, …), not %(first)s."
            )
            % p
        )
    if error.code == "length":
        return (
            _(
                "%(plate)s is not a plate: it has %(length)d characters; a plate has 7,"
                " a new-energy plate 8."
            )
            % p
        )
    if error.code == "office":
        return (
            _("%(plate)s is not a plate: the second character must be a letter, not %(second)s.")
            % p
        )
    if error.code == "letter_io":
        return (
            _("%(plate)s is not a plate: plates never use the letters I or O (read 1 or 0?).") % p
        )
    if error.code == "new_energy":
        return (
            _("%(plate)s is not a plate: an 8-character new-energy plate has D or F third or last.")
            % p
        )
    return _("%(plate)s is not a plate: %(character)s cannot be on a plate.") % p


def tier_label(tier: str) -> str:
    return str(Tier(tier).label) if tier in Tier.values else tier


def reason_text(reason: dict[str, Any]) -> str:
    """One reason of a decision (``Check.reasons``' items) as a sentence."""
    code, params = reason["code"], reason.get("params", {})
    outcome = str(Outcome(reason["outcome"]).label)
    p = {
        "outcome": outcome,
        "tier": tier_label(str(params.get("tier", ""))),
        "hours": params.get("hours", ""),
    }
    # Only the reason's own sentence is translated (a check's answer gives each).
    text = _REASON_TEXTS.get(code)
    return text(p) if text else outcome


_REASON_TEXTS: dict[str, Callable[[dict[str, Any]], str]] = {
    "clear": lambda p: _("Green code and no zone on the way: pass."),
    "red_code": lambda p: _("Red health code: %(outcome)s.") % p,
    "yellow_code": lambda p: _("Yellow health code: %(outcome)s.") % p,
    "no_code": lambda p: _("No health code shown: %(outcome)s.") % p,
    "from_tier": lambda p: _("Coming from a %(tier)s: %(outcome)s.") % p,
    "from_tier_tested": lambda p: (
        _("Coming from a %(tier)s with a negative test within %(hours)s hours: pass.") % p
    ),
    "into_tier": lambda p: _("Going into a %(tier)s: %(outcome)s.") % p,
    "outside_untested": lambda p: (
        _(
            "Coming from outside the city without a negative test within %(hours)s hours:"
            " %(outcome)s."
        )
        % p
    ),
    "outside_tested": lambda p: (
        _("Coming from outside the city with a negative test within %(hours)s hours: pass.") % p
    ),
}
