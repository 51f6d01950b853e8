"""The lifting countdown of a zone in force (解封倒计时).

A zone may step down (or lift) once its tier's criteria hold: no new case in
the zone for ``days_without_case`` days, counted from the zone's start or its
latest case, whichever is later; when the tier names one, a negative round
(at least ``round_share`` of the residents tested negative within
``negative_round_within_days`` days, none positive); when it names
``contacts_released``, every close contact linked to the zone out of
quarantine with a negative result; and for a tier that
``lifts_after_inner``, no stronger zone in force inside it. The check only
says whether and when; stepping down is a decision someone approves.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from .rules import TierRule

_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class LiftingInputs:
    now: dt.datetime
    started_at: dt.datetime
    #: When the latest case located in the zone was reported (None: none).
    last_case_at: dt.datetime | None
    residents: int
    #: Residents with a negative test sampled within the round's days.
    tested_negative: int
    #: Residents with a positive test sampled within the round's days.
    tested_positive: int
    #: Stronger zones in force inside this one's areas.
    inner_in_force: int = 0
    #: Close contacts linked to the zone still in quarantine, or released
    #: without a negative result since their last exposure.
    contacts_open: int = 0


@dataclass(frozen=True)
class LiftingCheck:
    """Whether the criteria hold now, the day the no-case clock runs out, the
    whole days left on it, and what still stands in the way (keys with their
    values: ``cases``, ``round``, ``contacts``, ``inner``)."""

    ready: bool
    clock_ends_at: dt.datetime
    days_left: int
    waiting_for: tuple[tuple[str, int], ...] = field(default_factory=tuple)


def check_lifting(rule: TierRule, inputs: LiftingInputs) -> LiftingCheck:
    anchor = max(inputs.started_at, inputs.last_case_at or inputs.started_at)
    clock_ends_at = anchor + rule.days_without_case * _DAY
    left = max(0, math.ceil((clock_ends_at - inputs.now) / _DAY))
    waiting: list[tuple[str, int]] = []
    if left:
        waiting.append(("cases", left))
    if rule.negative_round_within_days:
        needed = math.ceil(rule.round_share * inputs.residents)
        if inputs.tested_positive or inputs.tested_negative < needed:
            waiting.append(("round", max(0, needed - inputs.tested_negative)))
    if rule.contacts_released and inputs.contacts_open:
        waiting.append(("contacts", inputs.contacts_open))
    if rule.lifts_after_inner and inputs.inner_in_force:
        waiting.append(("inner", inputs.inner_in_force))
    return LiftingCheck(
        ready=not waiting, clock_ends_at=clock_ends_at, days_left=left, waiting_for=tuple(waiting)
    )
