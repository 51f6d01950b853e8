"""The inputs of a zone's lifting countdown (解封倒计时), read from the
registries: the cases located in it (``zhanyi.places.exposure_sites``), its
residents' tests (``zhanyi.people.health_facts``), the close contacts linked
to it (``zhanyi.places.zone_contacts``), stronger zones inside it.
The rule itself is ``zhanyi.engine.zones.check_lifting``."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.utils.translation import gettext as _

from zhanyi.engine.zones import LiftingCheck, LiftingInputs, check_lifting
from zhanyi.people.health_facts import gather
from zhanyi.places.exposure_sites import case_locations
from zhanyi.places.risk import STRENGTH
from zhanyi.places.zone_contacts import contacts_in
from zhanyi.zones.actions.common import residents
from zhanyi.zones.models import Zone, ZoneEventKind, ZoneState
from zhanyi.zones.rules import tier_rule

_DAY = dt.timedelta(days=1)
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


def open_contacts(zone: Zone, since: dt.datetime, now: dt.datetime) -> int:
    """Close contacts linked to the zone, last exposed since ``since``, still in
    quarantine, or released without a negative test sampled after their last
    exposure (or with a positive one)."""
    paths = list(zone.areas.values_list("path", flat=True))
    places = list(zone.places.values_list("pk", flat=True))
    linked = contacts_in(paths, places, since)
    released = [c for c in linked if c.released_at is not None and c.released_at <= now]
    facts = gather(sorted({c.person_id for c in released}), now) if released else {}
    done: set[int] = set()
    for c in released:
        tests = [
            t
            for t in (facts[c.person_id].tests if c.person_id in facts else [])
            if c.last_exposure_at <= t.sampled_at <= now
        ]
        if any(t.result == "negative" for t in tests) and not any(
            t.result == "positive" for t in tests
        ):
            done.add(c.person_id)
    return len({c.person_id for c in linked} - done)


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
        contacts_open=(
            open_contacts(zone, started - rule.days_without_case * _DAY, now)
            if rule.contacts_released
            else 0
        ),
    )
    return check_lifting(rule, inputs)


def waiting_reasons(check: LiftingCheck) -> list[str]:
    """What still stands between the zone and its lifting, in the reader's words."""
    parts = []
    for key, value in check.waiting_for:
        if key == "cases":
            parts.append(_("%(days)d more day(s) without a new case") % {"days": value})
        elif key == "round":
            parts.append(_("%(n)d more resident(s) tested negative") % {"n": value})
        elif key == "contacts":
            parts.append(
                _(
                    "%(n)d close contact(s) linked to the zone"
                    " still in quarantine or not yet negative"
                )
                % {"n": value}
            )
        else:
            parts.append(_("%(n)d stronger zone(s) inside still in force") % {"n": value})
    return parts
