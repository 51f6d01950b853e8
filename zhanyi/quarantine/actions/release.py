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
from zhanyi.engine.codes.facts import TestFact
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
from zhanyi.handoffs.models import HandoffKind
from zhanyi.people import health_facts
from zhanyi.people.actions.health_codes import do_recompute_codes
from zhanyi.quarantine.models import (
    ACTIVE_STATES,
    ContactKind,
    HealthCheck,
    Placement,
    PlacementState,
    RoomState,
)

from .common import protocol, require


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
    return placement.starts_at + dt.timedelta(days=placement.days)


def _when(moment: dt.datetime) -> str:
    return formats.date_format(moment.astimezone(LOCAL_TZ), "Y-m-d H:i")


def release_refusals(placement: Placement, tests: list[TestFact], now: dt.datetime) -> list[str]:
    """Why the protocol does not release ``placement`` at ``now``; empty when it does.

    The days (``[quarantine]``) counted from the first day of quarantine; a
    negative result on each of the protocol's test days within them
    (``[test_days]``); no positive since quarantine began; a close contact's
    last test day with ``[release] close_final_samples`` negative samples
    (双采双检)."""
    rules = protocol()
    reasons = []
    end = quarantine_end(placement)
    if now < end:
        reasons.append(
            _("Not before %(end)s: %(days)d days of quarantine end then.")
            % {"end": _when(end), "days": placement.days}
        )
    since = [t for t in tests if t.sampled_at >= placement.starts_at and not t.pooled]
    since_all = [t for t in tests if t.sampled_at >= placement.starts_at]
    if any(t.result == "positive" for t in since_all):
        reasons.append(_("A positive test since quarantine began."))
    kind = placement.kind if placement.kind in ContactKind.values else ContactKind.CLOSE
    days = [d for d in rules.test_days.days(kind) if d <= placement.days]
    for n in days:
        start = placement.starts_at + dt.timedelta(days=n - 1)
        on_day = [t for t in since if start <= t.sampled_at < start + dt.timedelta(days=1)]
        if not any(t.result == "negative" for t in on_day):
            reasons.append(
                _("No negative result for the test of quarantine day %(day)d (%(date)s).")
                % {"day": n, "date": _when(start)[:10]}
            )
    if kind == ContactKind.CLOSE and days and rules.release.close_final_samples > 1:
        last = placement.starts_at + dt.timedelta(days=days[-1] - 1)
        final = [t for t in since if t.sampled_at >= last and t.result == "negative"]
        if len(final) < rules.release.close_final_samples:
            reasons.append(
                _(
                    "%(n)d negative final samples needed from quarantine day %(day)d "
                    "(two samples, two tests); %(have)d so far."
                )
                % {"n": rules.release.close_final_samples, "day": days[-1], "have": len(final)}
            )
    return reasons


def _free_room(placement: Placement) -> None:
    room = placement.room
    if not Placement.objects.filter(room=room, state__in=ACTIVE_STATES).exists():
        room.state = RoomState.CLEANING
        room.save(update_fields=["state"])


@transaction.atomic
def do_release(
    placement: Placement, *, acting_user, now: dt.datetime | None = None, request=None
) -> Placement:
    """Release from the site when the protocol's conditions hold (refused before,
    with the reasons), handed on to the village team for home health
    monitoring (居家健康监测) when the protocol gives the days; the room to cleaning."""
    require(acting_user, "edit_operations", check_area=False)
    now = now or timezone.now()
    placement = _placed(placement)
    require(acting_user, "edit_operations", placement.area)
    facts = health_facts.gather([placement.person_id], now)[placement.person_id]
    reasons = release_refusals(placement, list(facts.tests), now)
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
