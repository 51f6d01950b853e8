"""Life in the site and release (解除隔离): health checks, release when the
protocol's conditions hold (handed on to home health monitoring), and a
placement ended by a positive test. The room goes to cleaning, then vacant."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.engine import release
from zhanyi.engine.codes.facts import TestFact
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
from zhanyi.handoffs.models import HandoffKind
from zhanyi.people import health_facts
from zhanyi.people.actions.health_codes import do_recompute_codes
from zhanyi.quarantine.models import (
    ACTIVE_STATES,
    HealthCheck,
    MonitoringKind,
    Placement,
    PlacementState,
    RoomState,
)

from .common import protocol, require
from .monitoring import do_start_monitoring


def _placed(placement: Placement) -> Placement:
    placement = (
        Placement.objects.select_for_update()
        .select_related("person", "area", "room__site")
        .get(pk=placement.pk)
    )
    if placement.state != PlacementState.PLACED:
        raise ValidationError(
            {
                "placement": _("%(name)s is not in quarantine: the placement is %(state)s.")
                % {"name": placement.person.name, "state": placement.get_state_display()}
            }
        )
    return placement


@transaction.atomic
def do_record_health_check(
    placement: Placement,
    *,
    temperature: Decimal,
    symptoms: str = "",
    checked_at: dt.datetime | None = None,
    acting_user,
    request=None,
) -> HealthCheck:
    """A health check (temperature, symptoms) by the site's staff."""
    require(acting_user, "edit_operations", check_area=False)
    placement = _placed(placement)
    require(acting_user, "edit_operations", placement.room.site.area)
    temperature = Decimal(str(temperature)).quantize(Decimal("0.1"))
    if not Decimal("34") <= temperature <= Decimal("43"):
        raise ValidationError(
            {"temperature": _("%(t)s °C is not a body temperature.") % {"t": temperature}}
        )
    check = HealthCheck.objects.create(
        placement=placement,
        checked_at=checked_at or timezone.now(),
        temperature=temperature,
        symptoms=symptoms.strip()[:255],
        checked_by_name=actor_name(acting_user),
    )
    fever = temperature >= Decimal(str(protocol().quarantine_sites.fever_celsius))
    audit.record(
        actor=acting_user,
        action="quarantine.health_check",
        obj=placement,
        area=placement.area,
        detail={"temperature": str(temperature), "symptoms": check.symptoms, "fever": fever},
        request=request,
    )
    return check


def quarantine_end(placement: Placement) -> dt.datetime:
    """When the placement's days in the site end by the clock."""
    return release.quarantine_end([("centralised", placement.days)], placement.starts_at)


def _when(moment: dt.datetime) -> str:
    return formats.date_format(moment.astimezone(LOCAL_TZ), "Y-m-d H:i")


def release_refusals(
    placement: Placement,
    tests: list[TestFact],
    now: dt.datetime,
    *,
    different_reagents: bool = False,
    close_contact_negative: bool = False,
) -> list[str]:
    """Why the protocol does not release ``placement`` at ``now``; empty when it
    does. The rule is the engine's (``zhanyi.engine.release.release_check``,
    ``[quarantine]`` and ``[release]``), counted from the first day of
    quarantine. What zhanyi does not record is attested by the person who
    releases: that the final samples were tested with different reagents
    (双采双检: testing keeps no reagent), and for a secondary contact that their
    close contact's first tests were negative (tracing's, not this app's)."""
    rules = protocol()
    samples = [
        release.Sample(
            t.sampled_at, t.result, reagent=f"attested-{i}" if different_reagents else ""
        )
        for i, t in enumerate(sorted(tests, key=lambda t: t.sampled_at))
        if not (t.pooled and t.result == "positive")  # a pool's people are re-tested alone
    ]
    check = release.release_check(
        rules.quarantine,
        rules.release,
        placement.kind,
        placement.starts_at,
        samples=samples,
        now=now,
    )
    reasons = []
    for missing in check.missing:
        if missing == "days":
            reasons.append(
                _("Not before %(end)s: the days of quarantine end then.")
                % {"end": _when(check.due_at)}
            )
        elif missing == "positive":
            reasons.append(_("A positive test since quarantine began."))
        elif missing == "final_samples":
            reasons.append(
                _("The last %(n)d samples must be negative.")
                % {"n": rules.release.close_final_samples}
            )
        elif missing == "different_reagents":
            reasons.append(
                _(
                    "Confirm that the final samples were tested with different reagents "
                    "(two samples, two tests)."
                )
            )
        elif missing == "close_contact_tests" and not close_contact_negative:
            reasons.append(
                _("Confirm that the close contact's first %(n)d tests were negative.")
                % {"n": rules.release.secondary_needs_close_negative_tests}
            )
    return reasons


def _free_room(placement: Placement) -> None:
    room = placement.room
    if not Placement.objects.filter(room=room, state__in=ACTIVE_STATES).exists():
        room.state = RoomState.CLEANING
        room.save(update_fields=["state"])


@transaction.atomic
def do_release(
    placement: Placement,
    *,
    acting_user,
    now: dt.datetime | None = None,
    different_reagents: bool = False,
    close_contact_negative: bool = False,
    request=None,
) -> Placement:
    """Release from the site when the protocol's conditions hold (refused before,
    with the reasons), handed on to the village team for home health
    monitoring (居家健康监测) when the protocol gives the days; the room to cleaning."""
    require(acting_user, "edit_operations", check_area=False)
    now = now or timezone.now()
    placement = _placed(placement)
    require(acting_user, "edit_operations", placement.area)
    facts = health_facts.gather([placement.person_id], now)[placement.person_id]
    reasons = release_refusals(
        placement,
        list(facts.tests),
        now,
        different_reagents=different_reagents,
        close_contact_negative=close_contact_negative,
    )
    if reasons:
        raise ValidationError({"released_at": reasons})
    placement.state = PlacementState.RELEASED
    placement.ended_at = now
    placement.ended_by_name = actor_name(acting_user)
    placement.save(update_fields=["state", "ended_at", "ended_by_name"])
    _free_room(placement)
    monitoring = monitoring_days(placement)
    if monitoring:
        rules = protocol()
        do_create_handoffs(
            [
                HandoffSpec(
                    key=f"quarantine.placement:{placement.pk}:monitoring",
                    kind=HandoffKind.CONTROL,
                    person_id=placement.person_id,
                    area_id=placement.area_id,
                    from_task_force=TaskForceKind.QUARANTINE,
                    to_task_force=TaskForceKind.COMMUNITY,
                    origin=f"quarantine.placement:{placement.pk}",
                    due_at=now + dt.timedelta(hours=rules.deadlines.control_hours),
                    detail={"measure": "home_health_monitoring", "days": monitoring},
                )
            ],
            acting_user=acting_user,
            origin_label="quarantine: released to home health monitoring",
        )
    if monitoring:
        do_start_monitoring(
            placement.person,
            area=placement.area,
            kind=MonitoringKind.HOME_HEALTH_MONITORING,
            starts_at=now,
            days=monitoring,
            placement=placement,
            acting_user=acting_user,
            request=request,
        )
    audit.record(
        actor=acting_user,
        action="quarantine.release",
        obj=placement,
        area=placement.area,
        detail={
            "person": placement.person_id,
            "days": placement.days,
            "monitoring_days": monitoring,
        },
        request=request,
    )
    do_recompute_codes(
        [placement.person_id], reason="quarantine: released", acting_user=acting_user
    )
    return placement


def monitoring_days(placement: Placement) -> int:
    """Days of home health monitoring after release (the protocol's [quarantine])."""
    stages = dict(protocol().quarantine.stages(placement.kind))
    return stages.get("home_health_monitoring", 0)


@transaction.atomic
def do_end_for_positive(
    placement: Placement, *, acting_user, now: dt.datetime | None = None, request=None
) -> Placement:
    """A person who tested positive leaves the site as a case (testing reports the
    case to tracing when it records the result); the room goes to cleaning."""
    require(acting_user, "edit_operations", check_area=False)
    now = now or timezone.now()
    placement = _placed(placement)
    placement.state = PlacementState.POSITIVE
    placement.ended_at = now
    placement.ended_by_name = actor_name(acting_user)
    placement.save(update_fields=["state", "ended_at", "ended_by_name"])
    _free_room(placement)
    audit.record(
        actor=acting_user,
        action="quarantine.positive",
        obj=placement,
        area=placement.area,
        detail={"person": placement.person_id, "room": placement.room_id},
        request=request,
    )
    return placement


def do_end_positives(*, acting_user, now: dt.datetime | None = None) -> int:
    """Every placement in a site whose person has a positive result sampled since
    quarantine began, ended (``do_end_for_positive``); returns how many."""
    now = now or timezone.now()
    placed = list(Placement.objects.filter(state=PlacementState.PLACED))
    if not placed:
        return 0
    facts = health_facts.gather([p.person_id for p in placed], now)
    ended = 0
    for placement in placed:
        tests = facts[placement.person_id].tests
        if any(t.result == "positive" and t.sampled_at >= placement.starts_at for t in tests):
            do_end_for_positive(placement, acting_user=acting_user, now=now)
            ended += 1
    return ended
