"""Placements (安置): the planner's proposals, a desk's moves and confirmations,
and a placement made by hand. Confirming closes the person's ``transfer``
hand-off; a person has at most one placement open (a database constraint,
so two desks placing one person at the same moment: one wins)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.engine import release
from zhanyi.engine.allocation import plan_placements
from zhanyi.handoffs import schedule
from zhanyi.handoffs.actions import HandoffSpec, do_close_handoff, do_create_handoffs
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus
from zhanyi.handoffs.schedule import ScheduledTest
from zhanyi.people.actions.health_codes import do_recompute_codes
from zhanyi.quarantine import planning
from zhanyi.quarantine.models import (
    ACTIVE_STATES,
    ContactKind,
    Placement,
    PlacementState,
    Room,
    RoomState,
)

from .common import actor_path, check_room_takes, local_midnight, protocol, require
from .queue import contact_days


def kind_and_days(handoff: Handoff) -> tuple[str, int]:
    """Whose rules a hand-off's person follows, and their days in a site: as the
    hand-off says, else from the protocol (a close contact's, unless the days
    are a secondary contact's)."""
    detail = handoff.detail or {}
    kind = detail.get("kind")
    days = detail.get("days")
    if kind not in ContactKind.values:
        secondary = contact_days(ContactKind.SECONDARY)
        close = contact_days(ContactKind.CLOSE)
        kind = ContactKind.SECONDARY if days == secondary != close else ContactKind.CLOSE
    if not isinstance(days, int) or days < 1:
        days = contact_days(kind)
    return kind, days


def quarantine_start(handoff: Handoff, at: dt.datetime) -> dt.datetime:
    """The first day of quarantine: that of the person's test schedule from the
    same origin (so release and test days count from one day), else the day of
    ``at`` (identification)."""
    tests = (
        Handoff.objects.filter(
            person_id=handoff.person_id, kind=HandoffKind.TEST, origin=handoff.origin
        )
        .values_list("detail", flat=True)
        .first()
    )
    for test in (tests or {}).get("tests", []):
        if test.get("stage") == "quarantine" and test.get("not_before"):
            start = dt.datetime.fromisoformat(test["not_before"].replace("Z", "+00:00"))
            return start - dt.timedelta(days=int(test["day"]) - 1)
    return local_midnight(at)


def identified_at(handoff: Handoff) -> dt.datetime:
    return handoff.due_at - dt.timedelta(hours=protocol().deadlines.transfer_hours)


def queue_for(acting_user):
    """Open ``transfer`` hand-offs in the user's jurisdiction whose person has no
    placement open, earliest deadline first."""
    path = actor_path(acting_user)
    qs = Handoff.objects.filter(kind=HandoffKind.TRANSFER, status=HandoffStatus.OPEN)
    if path is None:
        return qs.none()
    if path:
        qs = qs.filter(area__path__startswith=path)
    held = Placement.objects.filter(state__in=ACTIVE_STATES).values("person_id")
    return qs.exclude(person_id__in=held).order_by("due_at", "id")


def _new_placement(handoff: Handoff, room: Room) -> Placement:
    kind, days = kind_and_days(handoff)
    return Placement(
        person_id=handoff.person_id,
        area_id=handoff.area_id,
        handoff=handoff,
        site_id=room.site_id,
        room=room,
        kind=kind,
        days=days,
        identified_at=identified_at(handoff),
        due_at=handoff.due_at,
        starts_at=quarantine_start(handoff, identified_at(handoff)),
    )


@transaction.atomic
def do_plan_placements(
    *, acting_user, now: dt.datetime | None = None, time_limit_s: float = 4.0, request=None
) -> tuple[list[Placement], dict]:
    """Proposals for everyone waiting in the user's jurisdiction (the planner in
    ``zhanyi.engine.allocation``): households whole in one site, own county
    first, then its twin, then anywhere, least travel, most people placed.
    Returns the proposals and the plan's figures; those left waiting stay in
    the queue."""
    require(acting_user, "edit_operations", check_area=False)
    now = now or timezone.now()
    waiting = list(queue_for(acting_user).values_list("pk", flat=True))
    # Lock the hand-offs so two desks planning at once do not propose twice.
    locked = Handoff.objects.select_for_update(of=("self",)).filter(
        pk__in=waiting, status=HandoffStatus.OPEN
    )
    handoffs: dict[int, Handoff] = {}
    for h in locked.select_related("person__household__place", "person__village", "area").order_by(
        "due_at", "id"
    ):
        handoffs.setdefault(h.person_id, h)  # one hand-off per person: the earliest
    counties = planning.CountyIds()
    households = planning.households_of(list(handoffs.values()), now, counties)
    sites = planning.vacant_rooms(counties)
    plan = plan_placements(households, sites, planning.plan_rules(time_limit_s=time_limit_s))
    rooms = {r.pk: r for r in Room.objects.filter(pk__in={room for _, room in plan.rooms.values()})}
    proposals = [
        _new_placement(handoffs[pid], rooms[room_id])
        for pid, (_site, room_id) in plan.rooms.items()
    ]
    Placement.objects.bulk_create(proposals)
    figures = {
        "proposed": len(proposals),
        "waiting_households": len(plan.waiting),
        "travel_km": plan.travel_km,
        "gap_pct": plan.gap_pct,
        "method": plan.method,
    }
    audit.record(
        actor=acting_user,
        action="quarantine.plan",
        object_type="quarantine.plan",
        object_label=_("Placement plan"),
        area=getattr(acting_user, "jurisdiction", None),
        detail={**figures, "persons": sorted(plan.rooms)[:500]},
        request=request,
    )
    return proposals, figures


def test_schedule_spec(placement: Placement) -> HandoffSpec | None:
    """The protocol's test days of a placement, handed to testing as one ``test``
    hand-off (a schedule, ``zhanyi.handoffs.schedule``), unless the person's
    producer handed one on already (tracing's contacts carry theirs)."""
    origin = placement.handoff.origin if placement.handoff_id and placement.handoff else ""
    if (
        origin
        and Handoff.objects.filter(
            person_id=placement.person_id, kind=HandoffKind.TEST, origin=origin
        ).exists()
    ):
        return None
    rules = protocol()
    tests = [
        ScheduledTest(t.stage, t.day, t.start, t.end)
        for t in release.test_days(
            rules.quarantine, rules.test_days, placement.kind, placement.starts_at
        )
    ]
    first = schedule.current(tests)
    if first is None:
        return None
    return HandoffSpec(
        key=f"quarantine.placement:{placement.pk}:tests",
        kind=HandoffKind.TEST,
        person_id=placement.person_id,
        area_id=placement.area_id,
        from_task_force=TaskForceKind.QUARANTINE,
        to_task_force=TaskForceKind.TESTING,
        origin=f"quarantine.placement:{placement.pk}",
        not_before=first.not_before,
        due_at=first.due_at,
        detail=schedule.detail_of(tests),
    )


def _hand_on_tests(placements: list[Placement], acting_user) -> None:
    specs = [spec for p in placements if (spec := test_schedule_spec(p)) is not None]
    if specs:
        do_create_handoffs(specs, acting_user=acting_user, origin_label="quarantine: test days")


def _confirm_one(placement: Placement, acting_user, now: dt.datetime, request) -> Placement:
    room = Room.objects.select_for_update().select_related("site").get(pk=placement.room_id)
    check_room_takes(room, placement.person, now)
    placement.state = PlacementState.PLACED
    placement.placed_at = now
    placement.placed_by_name = actor_name(acting_user)
    placement.save(update_fields=["state", "placed_at", "placed_by_name"])
    if room.state != RoomState.OCCUPIED:
        room.state = RoomState.OCCUPIED
        room.save(update_fields=["state"])
    if placement.handoff_id is not None:
        handoff = Handoff.objects.select_for_update().get(pk=placement.handoff_id)
        if handoff.status == HandoffStatus.OPEN:
            do_close_handoff(
                handoff,
                acting_user=acting_user,
                outcome=f"quarantine.placement:{placement.pk} {room.site.name} {room.number}",
                request=request,
            )
    audit.record(
        actor=acting_user,
        action="quarantine.place",
        obj=placement,
        area=placement.area,
        detail={
            "person": placement.person_id,
            "site": room.site_id,
            "room": room.number,
            "within_deadline": now <= placement.due_at,
        },
        request=request,
    )
    return placement


@transaction.atomic
def do_confirm_placements(
    placements: Iterable[Placement], *, acting_user, now: dt.datetime | None = None, request=None
) -> list[Placement]:
    """Proposals confirmed: each person is in their room, the room occupied,
    the hand-off closed, the health code recomputed."""
    require(acting_user, "edit_operations", check_area=False)
    now = now or timezone.now()
    ids = [p.pk for p in placements]
    locked = list(
        Placement.objects.select_for_update()
        .filter(pk__in=ids)
        .select_related("person", "area")
        .order_by("pk")
    )
    done = []
    for placement in locked:
        require(acting_user, "edit_operations", placement.area)
        if placement.state != PlacementState.PROPOSED:
            raise ValidationError(
                {
                    "placement": _("%(name)s's placement is %(state)s, not proposed.")
                    % {"name": placement.person.name, "state": placement.get_state_display()}
                }
            )
        done.append(_confirm_one(placement, acting_user, now, request))
    if done:
        _hand_on_tests(done, acting_user)
        do_recompute_codes(
            [p.person_id for p in done], reason="quarantine: placed", acting_user=acting_user
        )
    return done


@transaction.atomic
def do_place(
    handoff: Handoff, room: Room, *, acting_user, now: dt.datetime | None = None, request=None
) -> Placement:
    """One person placed by hand in a room, at once (no proposal)."""
    require(acting_user, "edit_operations", check_area=False)
    now = now or timezone.now()
    handoff = (
        Handoff.objects.select_for_update().select_related("area", "person").get(pk=handoff.pk)
    )
    if handoff.kind != HandoffKind.TRANSFER:
        raise ValidationError({"handoff": _("Only a transfer hand-off is placed.")})
    require(acting_user, "edit_operations", handoff.area)
    held = Placement.objects.filter(person_id=handoff.person_id, state__in=ACTIVE_STATES).first()
    if handoff.status != HandoffStatus.OPEN or held is not None:
        raise ValidationError(
            {"person": _("%(name)s is already placed.") % {"name": handoff.person.name}}
        )
    room = Room.objects.select_for_update().select_related("site").get(pk=room.pk)
    check_room_takes(room, handoff.person, now)
    placement = _new_placement(handoff, room)
    try:
        with transaction.atomic():
            placement.save()
    except IntegrityError:
        raise ValidationError(
            {"person": _("%(name)s is already placed.") % {"name": handoff.person.name}}
        ) from None
    _confirm_one(placement, acting_user, now, request)
    _hand_on_tests([placement], acting_user)
    do_recompute_codes([placement.person_id], reason="quarantine: placed", acting_user=acting_user)
    return placement


@transaction.atomic
def do_move_placement(
    placement: Placement, room: Room, *, acting_user, now: dt.datetime | None = None, request=None
) -> Placement:
    """A person moved to another room (a proposal reviewed, or someone already in a site)."""
    require(acting_user, "edit_operations", check_area=False)
    now = now or timezone.now()
    placement = (
        Placement.objects.select_for_update()
        .select_related("person", "area", "room")
        .get(pk=placement.pk)
    )
    require(acting_user, "edit_operations", placement.area)
    if placement.state not in ACTIVE_STATES:
        raise ValidationError(
            {
                "placement": _("%(name)s's placement is %(state)s.")
                % {"name": placement.person.name, "state": placement.get_state_display()}
            }
        )
    if room.pk == placement.room_id:
        raise ValidationError(
            {"room": _("%(name)s is in that room already.") % {"name": placement.person.name}}
        )
    new = Room.objects.select_for_update().select_related("site").get(pk=room.pk)
    check_room_takes(new, placement.person, now)
    old = placement.room
    placement.room = new
    placement.site_id = new.site_id
    placement.save(update_fields=["room", "site"])
    if placement.state == PlacementState.PLACED:
        if new.state != RoomState.OCCUPIED:
            new.state = RoomState.OCCUPIED
            new.save(update_fields=["state"])
        if not Placement.objects.filter(room=old, state__in=ACTIVE_STATES).exists():
            old.state = RoomState.CLEANING
            old.save(update_fields=["state"])
    audit.record(
        actor=acting_user,
        action="quarantine.move",
        obj=placement,
        area=placement.area,
        detail={"person": placement.person_id, "old_room": old.pk, "new_room": new.pk},
        request=request,
    )
    return placement
