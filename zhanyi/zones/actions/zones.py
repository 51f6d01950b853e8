"""Zone decisions: proposing, approving, rejecting, stepping down, lifting.

Proposing needs ``edit_operations``; every decision that gives a zone effect
or takes it away needs ``approve`` (a headquarters decision). Each writes one
``ZoneEvent`` (the zone's history), drafts the public notice (通告) of an
approval, step-down or lifting, and one audit record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.lengths import too_long
from zhanyi.engine.protocol import DEFAULT_PROTOCOL
from zhanyi.places.models import Area, Place
from zhanyi.places.risk import STRENGTH, Tier
from zhanyi.zones.actions import effects
from zhanyi.zones.actions.common import actor_root, require, require_extent, responsible_area
from zhanyi.zones.lifting import lifting_check, waiting_reasons
from zhanyi.zones.models import Zone, ZoneEvent, ZoneEventKind, ZoneState
from zhanyi.zones.notices import draft_notice
from zhanyi.zones.outline import extent_of, read_outline, require_inside
from zhanyi.zones.rules import tier_rule


def _event(
    zone: Zone, kind: str, *, acting_user, at, note="", from_tier="", notice=""
) -> ZoneEvent:
    return ZoneEvent.objects.create(
        zone=zone,
        kind=kind,
        at=at,
        by_name=actor_name(acting_user),
        from_tier=from_tier,
        to_tier=zone.tier,
        note=note,
        notice=notice,
    )


@transaction.atomic
def do_propose_zone(
    *,
    tier: str,
    name: str,
    reason: str,
    areas: Iterable[Area] = (),
    places: Iterable[Place] = (),
    polygon: dict | str | None = None,
    acting_user,
    source: str = "",
    protocol: str = DEFAULT_PROTOCOL,
    now: dt.datetime | None = None,
    request=None,
) -> Zone:
    """A proposed zone: no effect until someone with ``approve`` approves it.

    A drawn ``polygon`` (GeoJSON, ``zones/outline.py``) adds to the extent the
    areas it covers wholly and the places inside it; it must be a valid
    polygon inside the actor's jurisdiction and hold something of ours."""
    require(acting_user, "edit_operations")
    now = now or timezone.now()
    areas, places = list(areas), list(places)
    if tier not in Tier.values:
        raise ValidationError({"tier": _("Unknown tier %(tier)s.") % {"tier": tier}})
    if not name.strip():
        raise ValidationError({"name": _("A zone needs a name.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the zone is needed.")})
    if long := too_long(Zone, "name", name):
        raise ValidationError({"name": long})
    outline = None
    if polygon is not None:
        geom, outline = read_outline(polygon)
        root = actor_root(acting_user)
        if root is None:
            raise PermissionDenied(_("You have no jurisdiction."))
        require_inside(geom, root)
        drawn = extent_of(geom)
        if not drawn.areas and not drawn.places:
            raise ValidationError(
                {"polygon": _("The drawn outline holds no area or place of ours.")}
            )
        areas += [a for a in drawn.areas if a.pk not in {b.pk for b in areas}]
        places += [p for p in drawn.places if p.pk not in {q.pk for q in places}]
    if not areas and not places:
        raise ValidationError({"areas": _("A zone needs an area, a place or a drawn outline.")})
    require_extent(acting_user, areas, places)
    zone = Zone.objects.create(
        name=name.strip(),
        tier=tier,
        reason=reason.strip(),
        area=responsible_area(areas, places),
        polygon=outline,
        protocol=protocol,
        source=source,
        proposed_at=now,
        proposed_by_name=actor_name(acting_user),
    )
    zone.areas.set(areas)
    zone.places.set(places)
    _event(zone, ZoneEventKind.PROPOSED, acting_user=acting_user, at=now, note=zone.reason)
    audit.record(
        actor=acting_user,
        action="zones.propose",
        obj=zone,
        area=zone.area,
        detail={
            "tier": tier,
            "areas": [a.path for a in areas],
            "places": [p.pk for p in places],
            "outline": outline is not None,
            "source": source,
        },
        request=request,
    )
    return zone


def _require_decision(zone: Zone, acting_user, state: str) -> None:
    require(acting_user, "approve")
    require_extent(acting_user, zone.areas.all(), zone.places.select_related("area"))
    if zone.state != state:
        raise ValidationError(
            {
                "state": _("Zone %(name)s is %(state)s.")
                % {"name": zone.name, "state": zone.get_state_display()}
            }
        )


@transaction.atomic
def do_approve_zone(
    zone: Zone,
    *,
    acting_user,
    starts_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
    request=None,
) -> Zone:
    """The zone takes force at ``starts_at`` (now by default): its residents'
    codes follow its tier and testing gets a schedule for each of them."""
    zone = Zone.objects.select_for_update().get(pk=zone.pk)
    _require_decision(zone, acting_user, ZoneState.PROPOSED)
    now = now or timezone.now()
    zone.state = ZoneState.IN_FORCE
    zone.approved_at = now
    zone.approved_by_name = actor_name(acting_user)
    zone.starts_at = starts_at or now
    zone.save(update_fields=["state", "approved_at", "approved_by_name", "starts_at"])
    notice = draft_notice(zone, ZoneEventKind.APPROVED, now)
    _event(zone, ZoneEventKind.APPROVED, acting_user=acting_user, at=zone.starts_at, notice=notice)
    tests = effects.schedule_tests(zone, acting_user=acting_user, start=zone.starts_at)
    codes = effects.recompute_codes(
        zone, acting_user=acting_user, now=max(now, zone.starts_at), reason=f"zones: {zone}"
    )
    audit.record(
        actor=acting_user,
        action="zones.approve",
        obj=zone,
        area=zone.area,
        detail={
            "tier": zone.tier,
            "starts_at": zone.starts_at.isoformat(),
            "tests": tests,
            "codes_changed": codes,
        },
        request=request,
    )
    return zone


@transaction.atomic
def do_reject_zone(
    zone: Zone, *, acting_user, reason: str, now: dt.datetime | None = None, request=None
) -> Zone:
    """A proposal turned down: it never takes force."""
    zone = Zone.objects.select_for_update().get(pk=zone.pk)
    _require_decision(zone, acting_user, ZoneState.PROPOSED)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the proposal is rejected.")})
    now = now or timezone.now()
    zone.state = ZoneState.REJECTED
    zone.save(update_fields=["state"])
    _event(zone, ZoneEventKind.REJECTED, acting_user=acting_user, at=now, note=reason.strip())
    audit.record(
        actor=acting_user,
        action="zones.reject",
        obj=zone,
        area=zone.area,
        detail={"reason": reason.strip()},
        request=request,
    )
    return zone


def _require_ready(zone: Zone, now: dt.datetime) -> None:
    check = lifting_check(zone, now)
    if check.ready:
        return
    raise ValidationError(
        {
            "state": _("Zone %(name)s does not meet its lifting criteria yet: %(what)s.")
            % {"name": zone.name, "what": "; ".join(waiting_reasons(check))}
        }
    )


@transaction.atomic
def do_step_down_zone(
    zone: Zone,
    *,
    acting_user,
    reason: str,
    to_tier: str | None = None,
    now: dt.datetime | None = None,
    request=None,
) -> Zone:
    """The zone steps down to the tier its rule names (or ``to_tier``, a
    weaker one), once its lifting criteria hold; a tier that steps down to
    nothing lifts."""
    zone = Zone.objects.select_for_update().get(pk=zone.pk)
    _require_decision(zone, acting_user, ZoneState.IN_FORCE)
    now = now or timezone.now()
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the zone steps down.")})
    rule = tier_rule(zone.tier, zone.protocol)
    target = to_tier if to_tier is not None else rule.steps_down_to
    if not target:
        return do_lift_zone(zone, acting_user=acting_user, reason=reason, now=now, request=request)
    if target not in Tier.values or STRENGTH[target] >= STRENGTH[zone.tier]:
        raise ValidationError(
            {
                "to_tier": _("A %(tier)s can only step down to a weaker tier.")
                % {"tier": zone.get_tier_display()}
            }
        )
    _require_ready(zone, now)
    old = zone.tier
    effects.cancel_tests(zone, acting_user=acting_user, reason=_("The zone stepped down."))
    zone.tier = target
    zone.ready_since = None
    zone.save(update_fields=["tier", "ready_since"])
    notice = draft_notice(zone, ZoneEventKind.STEPPED_DOWN, now, from_tier=old)
    _event(
        zone,
        ZoneEventKind.STEPPED_DOWN,
        acting_user=acting_user,
        at=now,
        from_tier=old,
        note=reason.strip(),
        notice=notice,
    )
    tests = effects.schedule_tests(zone, acting_user=acting_user, start=now)
    codes = effects.recompute_codes(zone, acting_user=acting_user, now=now, reason=f"zones: {zone}")
    audit.record(
        actor=acting_user,
        action="zones.step_down",
        obj=zone,
        area=zone.area,
        detail={
            "from": old,
            "to": target,
            "reason": reason.strip(),
            "tests": tests,
            "codes_changed": codes,
        },
        request=request,
    )
    return zone


@transaction.atomic
def do_lift_zone(
    zone: Zone, *, acting_user, reason: str, now: dt.datetime | None = None, request=None
) -> Zone:
    """The zone is lifted once its lifting criteria hold: no effect from then on."""
    zone = Zone.objects.select_for_update().get(pk=zone.pk)
    _require_decision(zone, acting_user, ZoneState.IN_FORCE)
    now = now or timezone.now()
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the zone is lifted.")})
    _require_ready(zone, now)
    effects.cancel_tests(zone, acting_user=acting_user, reason=_("The zone was lifted."))
    zone.state = ZoneState.LIFTED
    zone.lifted_at = now
    zone.lifted_by_name = actor_name(acting_user)
    zone.save(update_fields=["state", "lifted_at", "lifted_by_name"])
    notice = draft_notice(zone, ZoneEventKind.LIFTED, now)
    _event(
        zone,
        ZoneEventKind.LIFTED,
        acting_user=acting_user,
        at=now,
        note=reason.strip(),
        from_tier=zone.tier,
        notice=notice,
    )
    codes = effects.recompute_codes(zone, acting_user=acting_user, now=now, reason=f"zones: {zone}")
    audit.record(
        actor=acting_user,
        action="zones.lift",
        obj=zone,
        area=zone.area,
        detail={"tier": zone.tier, "reason": reason.strip(), "codes_changed": codes},
        request=request,
    )
    return zone
