"""A patient's visit to a fever clinic (发热门诊就诊): pre-triage at the entrance
(预检分诊, ``zhanyi.engine.triage``) and the test every patient is given,
handed to testing at once; a room of their own (一人一诊一室: a second
patient in an occupied room is refused, naming the room and since when); the
end of the visit: home, or referred to the designated hospital (an
``admission`` hand-off) or to centralised quarantine (a ``transfer``
hand-off), both for the transfer task force within the protocol's
``deadlines.transfer_hours``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.clinics.models import Clinic, CodeColour, Room, Visit, VisitOutcome
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.masking import mask_name
from zhanyi.engine.triage import TriageFacts, triage
from zhanyi.handoffs import schedule
from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
from zhanyi.handoffs.models import Handoff, HandoffKind
from zhanyi.handoffs.schedule import ScheduledTest
from zhanyi.people import queries as people_queries
from zhanyi.people.models import Person

from .common import local, protocol, require, single_line

#: The stage testing's schedule shows for a clinic patient's test.
VISIT_STAGE = "fever_clinic"
#: How far ahead of the server's clock an arrival may be recorded (a phone's clock).
CLOCK_SKEW = dt.timedelta(minutes=10)


def _check_person(acting_user, person: Person) -> None:
    from zhanyi.core.audit import SystemActor

    if isinstance(acting_user, SystemActor):
        return
    if not people_queries.can_see_person(acting_user, person):
        raise ValidationError({"person": _("This person is outside your jurisdiction.")})


def _hand_off(
    visit: Visit, *, kind: str, to: str, due_at: dt.datetime, detail: dict[str, Any], acting_user
) -> Handoff:
    key = f"clinics.visit:{visit.pk}:{kind}"
    do_create_handoffs(
        [
            HandoffSpec(
                key=key,
                kind=kind,
                person_id=visit.person_id,
                area_id=visit.clinic.area_id,
                from_task_force=TaskForceKind.COORDINATION,
                to_task_force=to,
                origin=f"clinics.visit:{visit.pk}",
                due_at=due_at,
                detail={**detail, "clinic": visit.clinic.name},
            )
        ],
        acting_user=acting_user,
        origin_label=f"clinic {visit.clinic.name}",
    )
    return Handoff.objects.get(key=key)


@transaction.atomic
def do_register_visit(
    clinic: Clinic,
    person: Person,
    *,
    acting_user,
    temperature: Decimal | None = None,
    symptoms: str = "",
    epidemiological_history: bool = False,
    code_colour: str = CodeColour.UNKNOWN,
    arrived_at: dt.datetime | None = None,
    room: Room | None = None,
    request=None,
) -> Visit:
    """Pre-triage of a patient arriving at ``clinic``; their test handed to
    testing at once; a room given when one is named."""
    require(acting_user, "edit_operations", clinic.area)
    _check_person(acting_user, person)
    now = timezone.now()
    arrived_at = arrived_at or now
    symptoms = single_line(symptoms)
    errors = {}
    if temperature is not None and not Decimal("34") <= temperature <= Decimal("43"):
        errors["temperature"] = _(
            "%(value)s °C is not a body temperature; measure again (34 to 43 °C)."
        ) % {"value": temperature}
    if code_colour not in CodeColour.values:
        errors["code_colour"] = _("Unknown health-code colour: %(colour)s.") % {
            "colour": code_colour
        }
    if arrived_at > now + CLOCK_SKEW:
        errors["arrived_at"] = _("The arrival cannot be in the future (%(at)s).") % {
            "at": local(arrived_at)
        }
    if len(symptoms) > 200:
        errors["symptoms"] = _("Describe the symptoms in at most 200 characters.")
    if errors:
        raise ValidationError(errors)
    rules = protocol()
    result = triage(
        TriageFacts(temperature, bool(symptoms), epidemiological_history, code_colour),
        fever_celsius=rules.quarantine_sites.fever_celsius,
    )
    visit = Visit.objects.create(
        clinic=clinic,
        person=person,
        arrived_at=arrived_at,
        temperature=temperature,
        symptoms=symptoms,
        epidemiological_history=epidemiological_history,
        code_colour=code_colour,
        triage=result.level,
        triage_reasons=list(result.reasons),
        recorded_by_name=actor_name(acting_user),
    )
    due_at = arrived_at + dt.timedelta(hours=rules.testing.scheduled_test_window_hours)
    visit.test_handoff = _hand_off(
        visit,
        kind=HandoffKind.TEST,
        to=TaskForceKind.TESTING,
        due_at=due_at,
        detail=schedule.detail_of([ScheduledTest(VISIT_STAGE, 1, None, due_at)]),
        acting_user=acting_user,
    )
    visit.save(update_fields=["test_handoff"])
    audit.record(
        actor=acting_user,
        action="clinics.visit.register",
        obj=visit,
        area=clinic.area,
        detail={
            "clinic": clinic.name,
            "person": person.pk,
            "triage": result.level,
            "reasons": list(result.reasons),
            "temperature": str(temperature) if temperature is not None else None,
        },
        request=request,
    )
    if room is not None:
        visit = do_assign_room(
            visit, room, acting_user=acting_user, now=arrived_at, request=request
        )
    return visit


def _occupied(room: Room) -> ValidationError:
    holder = Visit.objects.filter(room=room, left_room_at=None).select_related("person").first()
    if holder is None:  # freed meanwhile: the race lost is still a refusal
        return ValidationError({"room": _("Room %(room)s was just taken; choose another.")})
    return ValidationError(
        {
            "room": _(
                "Room %(room)s of %(clinic)s is occupied by %(name)s since %(since)s:"
                " one patient to a room. Choose a free room."
            )
            % {
                "room": room.name,
                "clinic": room.clinic.name,
                "name": mask_name(holder.person.name),
                "since": local(holder.roomed_at or holder.arrived_at),
            }
        }
    )


@transaction.atomic
def do_assign_room(
    visit: Visit, room: Room, *, acting_user, now: dt.datetime | None = None, request=None
) -> Visit:
    """Put the patient in ``room`` (一人一诊一室). Refused: a closed visit, a
    patient in a room already, a room of another clinic, an occupied room."""
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("clinic", "person")
        .get(pk=visit.pk)
    )
    require(acting_user, "edit_operations", visit.clinic.area)
    room = Room.objects.select_for_update().select_related("clinic").get(pk=room.pk)
    if visit.closed_at is not None:
        raise ValidationError(
            {"room": _("This visit ended at %(at)s.") % {"at": local(visit.closed_at)}}
        )
    if room.clinic_id != visit.clinic_id:
        raise ValidationError(
            {
                "room": _("Room %(room)s belongs to %(other)s, not to %(clinic)s.")
                % {"room": room.name, "other": room.clinic.name, "clinic": visit.clinic.name}
            }
        )
    if visit.in_room:
        assert visit.room is not None
        raise ValidationError(
            {
                "room": _("%(name)s is in room %(room)s already.")
                % {"name": mask_name(visit.person.name), "room": visit.room.name}
            }
        )
    if Visit.objects.filter(room=room, left_room_at=None).exists():
        raise _occupied(room)
    visit.room = room
    visit.roomed_at = now or timezone.now()
    visit.left_room_at = None
    try:
        with transaction.atomic():
            visit.save(update_fields=["room", "roomed_at", "left_room_at"])
    except IntegrityError:
        # Another desk put a patient in the room at the same moment.
        raise _occupied(room) from None
    audit.record(
        actor=acting_user,
        action="clinics.visit.room",
        obj=visit,
        area=visit.clinic.area,
        detail={"room": room.name, "person": visit.person_id},
        request=request,
    )
    return visit


def _leave(visit: Visit, at: dt.datetime) -> list[str]:
    if visit.in_room:
        visit.left_room_at = at
        return ["left_room_at"]
    return []


@transaction.atomic
def do_leave_room(
    visit: Visit, *, acting_user, now: dt.datetime | None = None, request=None
) -> Visit:
    """The patient leaves their room (to wait for the result elsewhere); the room is free."""
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("clinic", "room")
        .get(pk=visit.pk)
    )
    require(acting_user, "edit_operations", visit.clinic.area)
    if not visit.in_room:
        raise ValidationError({"room": _("This patient is in no room.")})
    assert visit.room is not None
    room = visit.room.name
    visit.save(update_fields=_leave(visit, now or timezone.now()))
    audit.record(
        actor=acting_user,
        action="clinics.visit.leave_room",
        obj=visit,
        area=visit.clinic.area,
        detail={"room": room},
        request=request,
    )
    return visit


@transaction.atomic
def do_close_visit(
    visit: Visit,
    *,
    outcome: str,
    acting_user,
    note: str = "",
    now: dt.datetime | None = None,
    request=None,
) -> Visit:
    """End the visit: home, or referred to the designated hospital or to
    centralised quarantine (a hand-off to the transfer task force). The room
    is freed."""
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("clinic", "person")
        .get(pk=visit.pk)
    )
    require(acting_user, "edit_operations", visit.clinic.area)
    if visit.closed_at is not None:
        raise ValidationError(
            {
                "outcome": _("This visit ended already (%(outcome)s, %(at)s).")
                % {"outcome": visit.get_outcome_display(), "at": local(visit.closed_at)}
            }
        )
    if outcome not in VisitOutcome.values:
        raise ValidationError(
            {
                "outcome": _(
                    "Say how the visit ends: home, referred to the designated hospital"
                    " or to centralised quarantine."
                )
            }
        )
    note = single_line(note)[:200]
    now = now or timezone.now()
    rules = protocol()
    due_at = now + dt.timedelta(hours=rules.deadlines.transfer_hours)
    fields = ["outcome", "closed_at", *_leave(visit, now)]
    if outcome == VisitOutcome.HOSPITAL:
        visit.referral_handoff = _hand_off(
            visit,
            kind=HandoffKind.ADMISSION,
            to=TaskForceKind.TRANSFER,
            due_at=due_at,
            detail={"triage": visit.triage, "note": note},
            acting_user=acting_user,
        )
        fields.append("referral_handoff")
    elif outcome == VisitOutcome.QUARANTINE:
        days = dict(rules.quarantine.stages("close")).get("centralised", 0)
        visit.referral_handoff = _hand_off(
            visit,
            kind=HandoffKind.TRANSFER,
            to=TaskForceKind.TRANSFER,
            due_at=due_at,
            detail={"kind": "close", "days": days, "note": note},
            acting_user=acting_user,
        )
        fields.append("referral_handoff")
    visit.outcome = outcome
    visit.closed_at = now
    visit.save(update_fields=fields)
    audit.record(
        actor=acting_user,
        action="clinics.visit.close",
        obj=visit,
        area=visit.clinic.area,
        detail={"outcome": outcome, "person": visit.person_id, "note": note},
        request=request,
    )
    return visit
