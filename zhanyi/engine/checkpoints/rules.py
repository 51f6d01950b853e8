"""The ``[checkpoints]`` section of the protocol file: what a check decides."""

from __future__ import annotations

from dataclasses import dataclass

#: The outcomes a rule may name (``decision.Outcome``'s values).
OUTCOMES = ("pass", "testing", "turn_back", "quarantine")
#: The risk tiers of ``zhanyi.places.risk.Tier``, as the rules name them.
TIERS = ("sealed", "high_risk", "controlled", "medium_risk", "prevention")


@dataclass(frozen=True)
class CheckpointRule:
    """Traffic checkpoints (交通查验站): "every vehicle checked, every person
    checked" (逢车必查、逢人必检). Each field names the outcome of one situation;
    the strongest outcome of all that apply is the decision."""

    #: A red health code: to centralised quarantine (a hand-off to transfer).
    red_code: str = "quarantine"
    #: A yellow code: tested on the spot.
    yellow_code: str = "testing"
    #: No code shown (no phone, an old person): tested on the spot.
    no_code: str = "testing"
    #: Leaving a zone, by the zone's tier: sealed (nobody leaves home) and
    #: high-risk areas to quarantine; controlled zones (人不出区) and
    #: medium-risk areas (只进不出) turned back; prevention zones need a test.
    from_sealed: str = "quarantine"
    from_high_risk: str = "quarantine"
    from_controlled: str = "turn_back"
    from_medium_risk: str = "turn_back"
    from_prevention: str = "testing"
    #: Heading into a zone: a sealed zone lets no vehicle in.
    into_sealed: str = "turn_back"
    into_high_risk: str = "turn_back"
    into_controlled: str = "pass"
    into_medium_risk: str = "pass"
    into_prevention: str = "pass"
    #: Coming from outside the city (an origin city outside the area tree)
    #: without a valid negative test.
    untested_from_outside: str = "testing"
    #: A negative test younger than this many hours is valid ...
    test_valid_hours: int = 48
    #: ... and clears the rules of these tiers' origins (and of an origin
    #: outside the city) when their outcome is ``testing``.
    cleared_by_test: tuple[str, ...] = ("prevention",)

    def __post_init__(self) -> None:
        for name in (
            "red_code",
            "yellow_code",
            "no_code",
            "untested_from_outside",
            *(f"from_{t}" for t in TIERS),
            *(f"into_{t}" for t in TIERS),
        ):
            if getattr(self, name) not in OUTCOMES:
                raise ValueError(
                    f"checkpoints.{name} must be one of {', '.join(OUTCOMES)},"
                    f" not {getattr(self, name)!r}"
                )
        if not isinstance(self.test_valid_hours, int) or self.test_valid_hours < 1:
            raise ValueError("checkpoints.test_valid_hours must be a whole number of at least 1")
        # TOML gives a list: kept as a tuple, as the field says.
        object.__setattr__(self, "cleared_by_test", tuple(self.cleared_by_test))
        unknown = sorted(set(self.cleared_by_test) - set(TIERS))
        if unknown:
            raise ValueError(f"checkpoints.cleared_by_test: unknown tiers {', '.join(unknown)}")

    def outcome_from(self, tier: str) -> str:
        return str(getattr(self, f"from_{tier}"))

    def outcome_into(self, tier: str) -> str:
        return str(getattr(self, f"into_{tier}"))
