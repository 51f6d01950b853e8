"""The ``[zones]`` section of a protocol file: what each tier means.

Each tier (``[zones.sealed]``, ``[zones.controlled]``, …) says how people may
move, how goods reach them, how often they are tested, what it does to their
health code, what the data-driven proposal puts in it, and when it may step
down or lift. The values are keys; the zones app shows their labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The tiers, as ``zhanyi.places.risk.Tier`` names them.
TIERS = ("sealed", "controlled", "prevention", "high_risk", "medium_risk")

#: How people may move: nobody leaves home (足不出户), nobody leaves the zone
#: (人不出区), people come in but do not go out (只进不出), no gatherings (严禁聚集).
MOVEMENTS = ("stay_home", "stay_in_zone", "entry_only", "no_gatherings")
#: How goods reach people: to the door (服务上门), at the zone's gate, as usual.
DELIVERIES = ("to_the_door", "at_the_gate", "as_usual")
#: What a zone does to its residents' health codes: a health-code fact of
#: ``zhanyi.engine.codes`` (a home quarantine, home health monitoring), or nothing.
CODE_EFFECTS = ("", "home", "home_health_monitoring")
#: What a proposal puts in a zone of the tier, around a case:
#: ``residence``: the residential compound where the case lives (its village
#: when the home is in no compound); ``places``: the compound and the places of
#: the trajectory; ``village``/``township``/``county``: that area of the tree
#: around each residence and trajectory stop; ``neighbours``: the other
#: counties of the city; ``""``: the tier is not proposed from cases.
EXTENTS = ("", "residence", "places", "village", "township", "county", "neighbours")


def _choice(section: str, name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"[{section}] {name}: {value!r} is not one of {shown}")


def _count(section: str, name: str, value: int, minimum: int = 0) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"[{section}] {name}: must be a whole number of at least {minimum}")


@dataclass(frozen=True)
class TierRule:
    """One tier's rules (a table ``[zones.<tier>]``)."""

    movement: str = "no_gatherings"
    deliveries: str = "as_usual"
    #: Residents are tested every this many days while the zone is in force
    #: (0: no testing schedule of the zone's own).
    test_every_days: int = 0
    #: The health-code fact a resident gets while the zone is in force.
    code_effect: str = ""
    #: What a proposal from cases puts in a zone of this tier.
    extent: str = ""
    #: For the ``neighbours`` extent: counties whose centre lies within this
    #: many km of a case's county centre (0: every other county of the city).
    radius_km: float = 0.0
    #: Lifting: this many days with no new case in the zone ...
    days_without_case: int = 14
    #: ... and a negative round: at least ``round_share`` of the residents
    #: tested negative within this many days, none positive (0: not needed).
    negative_round_within_days: int = 0
    round_share: float = 0.95
    #: ... and the last close contact linked to the zone out of quarantine
    #: with a negative result (false: not needed).
    contacts_released: bool = False
    #: The tier it steps down to when the criteria are met ("": it lifts).
    steps_down_to: str = ""
    #: It lifts only when no stronger zone in force lies inside its areas
    #: (a prevention zone lifts after the sealed and controlled zones).
    lifts_after_inner: bool = False

    def check(self, tier: str) -> None:
        section = f"zones.{tier}"
        _choice(section, "movement", self.movement, MOVEMENTS)
        _choice(section, "deliveries", self.deliveries, DELIVERIES)
        _choice(section, "code_effect", self.code_effect, CODE_EFFECTS)
        _choice(section, "extent", self.extent, EXTENTS)
        _choice(section, "steps_down_to", self.steps_down_to, ("", *TIERS))
        _count(section, "test_every_days", self.test_every_days)
        _count(section, "days_without_case", self.days_without_case, 1)
        _count(section, "negative_round_within_days", self.negative_round_within_days)
        if not isinstance(self.radius_km, int | float) or self.radius_km < 0:
            raise ValueError(f"[{section}] radius_km: must be a distance of at least 0")
        if not isinstance(self.round_share, int | float) or not 0 < self.round_share <= 1:
            raise ValueError(f"[{section}] round_share: must be a share above 0, at most 1")
        if not isinstance(self.contacts_released, bool):
            raise ValueError(f"[{section}] contacts_released: must be true or false")
        if self.steps_down_to == tier:
            raise ValueError(f"[{section}] steps_down_to: a tier cannot step down to itself")


@dataclass(frozen=True)
class ZoneRules:
    """The ``[zones]`` section: one ``TierRule`` per tier."""

    source: str = ""
    status: str = ""
    sealed: TierRule = field(default_factory=TierRule)
    controlled: TierRule = field(default_factory=TierRule)
    prevention: TierRule = field(default_factory=TierRule)
    high_risk: TierRule = field(default_factory=TierRule)
    medium_risk: TierRule = field(default_factory=TierRule)

    def __post_init__(self) -> None:
        for tier in TIERS:
            self.tier(tier).check(tier)

    def tier(self, tier: str) -> TierRule:
        if tier not in TIERS:
            raise ValueError(f"unknown zone tier {tier!r}")
        rule: TierRule = getattr(self, tier)
        return rule
