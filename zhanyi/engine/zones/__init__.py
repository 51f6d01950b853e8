"""Risk zones (分区分级) without Django: the protocol's rules of each tier, the
proposal of zones from where cases lived and went, and the lifting countdown.

The zones app (``zhanyi.zones``) feeds these functions plain values read at
its edge and stores what they return.
"""

from .lifting import LiftingCheck, LiftingInputs, check_lifting
from .proposal import CaseLocation, ProposedZone, propose_zones
from .rules import (
    CODE_EFFECTS,
    DELIVERIES,
    EXTENTS,
    MOVEMENTS,
    TIERS,
    TierRule,
    ZoneRules,
)

__all__ = [
    "CODE_EFFECTS",
    "DELIVERIES",
    "EXTENTS",
    "MOVEMENTS",
    "TIERS",
    "CaseLocation",
    "LiftingCheck",
    "LiftingInputs",
    "ProposedZone",
    "TierRule",
    "ZoneRules",
    "check_lifting",
    "propose_zones",
]
