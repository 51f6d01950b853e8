"""The inputs of a zone's lifting countdown (解封倒计时), read from the
registries: the cases located in it (``zhanyi.places.exposure_sites``), its
residents' tests (``zhanyi.people.health_facts``), stronger zones inside it.
The rule itself is ``zhanyi.engine.zones.check_lifting``."""

from __future__ import annotations

import dataclasses
import datetime as dt

from zhanyi.engine.zones import LiftingCheck, LiftingInputs, check_lifting
from zhanyi.people.health_facts import gather
from zhanyi.places.exposure_sites import case_locations
from zhanyi.places.risk import STRENGTH
from zhanyi.zones.actions.common import residents
from zhanyi.zones.models import Zone, ZoneEventKind, ZoneState
from zhanyi.zones.rules import tier_rule

_TIER_STARTS = (ZoneEventKind.APPROVED, ZoneEventKind.STEPPED_DOWN)


def tier_started_at(zone: Zone) -> dt.datetime:
    """When the zone's current tier took force (its approval or last step down)."""
    event = zone.events.filter(kind__in=_TIER_STARTS).order_by("-at", "-id").first()
    return event.at if event else (zone.starts_at or zone.proposed_at)


def last_case_at(zone: Zone, since: dt.datetime, now: dt.datetime) -> dt.datetime | None:
    """When the latest case living in or passing through the zone since
    ``since`` was reported."""
    paths = list(zone.areas.values_list("path", flat=True))
    places = set(zone.places.values_list("pk", flat=True))
    inside = [
        loc.reported_at
        for loc in case_locations(since, now)
        if (loc.place_id is not None and loc.place_id in places)
        or any(loc.area_path.startswith(p) for p in paths)
    ]
    return max(inside, default=None)


def _round(zone: Zone, days: int, now: dt.datetime) -> tuple[int, int, int]:
    """(residents, tested negative, tested positive) within ``days`` of ``now``."""
    ids = list(residents(zone).values_list("pk", flat=True))
    since = now - dt.timedelta(days=days)
    negative = positive = 0
    for facts in gather(ids, now).values():
        recent = [t for t in facts.tests if since <= t.sampled_at <= now]
        if any(t.result == "positive" for t in recent):
            positive += 1
        elif any(t.result == "negative" for t in recent):
            negative += 1
    return len(ids), negative, positive


def _inner(zone: Zone, at: dt.datetime) -> int:
    """Stronger zones in force inside this zone's areas."""
    paths = list(zone.areas.values_list("path", flat=True))
    count = 0
    for other in (
        Zone.objects.filter(state=ZoneState.IN_FORCE)
        .exclude(pk=zone.pk)
        .prefetch_related("areas", "places__area")
    ):
        if STRENGTH[other.tier] <= STRENGTH[zone.tier]:
            continue
        where = [a.path for a in other.areas.all()] + [p.area.path for p in other.places.all()]
        if any(w.startswith(p) for w in where for p in paths):
            count += 1
    return count


def lifting_check(zone: Zone, now: dt.datetime, *, with_round: bool = True) -> LiftingCheck:
    """The zone's countdown and criteria now. ``with_round=False`` skips the
    residents' tests (a list page shows only the days left)."""
    rule = tier_rule(zone.tier, zone.protocol)
    started = tier_started_at(zone)
    people = negative = positive = 0
    if with_round and rule.negative_round_within_days:
        people, negative, positive = _round(zone, rule.negative_round_within_days, now)
    elif rule.negative_round_within_days:
        rule = dataclasses.replace(rule, negative_round_within_days=0)
    inputs = LiftingInputs(
        now=now,
        started_at=started,
        last_case_at=last_case_at(zone, started, now),
        residents=people,
        tested_negative=negative,
        tested_positive=positive,
        inner_in_force=_inner(zone, now) if rule.lifts_after_inner else 0,
    )
    return check_lifting(rule, inputs)
