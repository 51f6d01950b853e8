"""Checks at a station (查验): the plate read, the zones asked, the decision
made by the protocol's rules (``zhanyi.engine.checkpoints``), and the hand-off
of the people a check sends to quarantine or testing.

A check carries the ``client_id`` the phone made for it: sending it again (a
queue emptied after a poor connection, two taps) returns the stored check and
writes nothing, even when two copies arrive at the same moment.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.checkpoints.fastpath import write
from zhanyi.checkpoints.models import Check, CodeColour, Outcome, Station
from zhanyi.checkpoints.rules import local_day, protocol
from zhanyi.checkpoints.wording import plate_refusal
from zhanyi.core import audit
from zhanyi.core.actors import actor_name, actor_user
from zhanyi.core.audit import SystemActor
from zhanyi.core.jurisdiction import can_see_area
from zhanyi.engine.checkpoints import Facts, PlateError, decide, parse_plate
from zhanyi.engine.identity import IdentityNumberError, parse_resident_id
from zhanyi.handoffs import schedule
from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
from zhanyi.handoffs.models import HandoffKind
from zhanyi.handoffs.schedule import ScheduledTest
from zhanyi.people import queries as people_queries
from zhanyi.people.actions import DuplicatePersonError, do_create_person
from zhanyi.people.models import Person
from zhanyi.places.models import Area, AreaLevel
from zhanyi.places.risk import risk_of_paths

from .common import check_lengths, require

#: How far ahead of the server's clock a phone's time may be.
CLOCK_SKEW = dt.timedelta(minutes=10)
MAX_PEOPLE = 99
MAX_TEST_AGE_HOURS = 24 * 30
RECORD_ACTION = "checkpoints.check.record"


@dataclass(frozen=True)
class Identity:
    """Who a person is, as the officer read it off their documents."""

    name: str
    identity_number: str = ""
    phone: str = ""


@dataclass(frozen=True)
class CheckInput:
    client_id: uuid.UUID
    plate: str
    people: int
    code_colour: str
    test_age_hours: int | None = None
    origin_area: Area | None = None
    origin_city: str = ""
    destination_area: Area | None = None
    destination: str = ""
    checked_at: dt.datetime | None = None
    person: Person | None = None
    identity: Identity | None = None


def do_record_check(
    station: Station, data: CheckInput, *, acting_user, request=None
) -> tuple[Check, bool]:
    """Record one check and its decision; ``(check, created)``. A ``client_id``
    stored already gives the stored check back (``created`` false)."""
    require(acting_user, "edit_operations", station.area)
    # No look-up first: a check is nearly always new (one query fewer a check);
    # the unique client id makes a repeat write nothing, and then the stored
    # check is the answer.
    refused: IntegrityError | None = None
    try:
        if data.person is not None or data.identity is not None:
            # Someone named: the check may hand them on, in its transaction.
            with transaction.atomic():
                return _record(station, data, acting_user=acting_user, request=request), True
        check = _record_alone(station, data, acting_user=acting_user, request=request)
        if check is not None:
            return check, True
    except IntegrityError as error:
        # The same client id stored by a concurrent request just now.
        refused = error
    except ValidationError:
        # A check stored before is its answer even if it would be refused now
        # (its station closed since): the phone's queue must not drop it as refused.
        stored = _stored(data.client_id, station)
        if stored is None:
            raise
        return stored, False
    stored = _stored(data.client_id, station)
    if stored is None:
        raise IntegrityError(f"check {data.client_id} neither stored nor found") from refused
    return stored, False


def _stored(client_id: uuid.UUID, station: Station) -> Check | None:
    found = (
        Check.objects.select_related("origin_area", "destination_area")
        .filter(client_id=client_id)
        .first()
    )
    if found is not None and found.station_id != station.pk:
        raise ValidationError(
            {"client_id": _("This client id names a check at another checkpoint.")}
        )
    return found


def _clean(station: Station, data: CheckInput, now: dt.datetime) -> tuple[str, bool, dt.datetime]:
    """The plate, whether it is new-energy, and the moment; every refusal at once."""
    problems: dict[str, str] = {}
    plate, new_energy = "", False
    try:
        parsed = parse_plate(data.plate)
        plate, new_energy = parsed.number, parsed.new_energy
    except PlateError as error:
        problems["plate"] = plate_refusal(error, data.plate)
    if not 1 <= data.people <= MAX_PEOPLE:
        problems["people"] = _("Between 1 and %(max)d people in a vehicle.") % {"max": MAX_PEOPLE}
    if data.code_colour not in CodeColour.values:
        problems["code_colour"] = _("Choose the colour of the health code.")
    if data.test_age_hours is not None and not 0 <= data.test_age_hours <= MAX_TEST_AGE_HOURS:
        problems["test_age_hours"] = _(
            "The test's age is between 0 and %(max)d hours; leave it empty when there is none."
        ) % {"max": MAX_TEST_AGE_HOURS}
    if data.origin_area is None and not data.origin_city.strip():
        problems["origin_city"] = _(
            "Where does the vehicle come from? Choose an area or type a city."
        )
    if data.destination_area is None and not data.destination.strip():
        problems["destination"] = _("Where is the vehicle going?")
    at = data.checked_at or now
    if at > now + CLOCK_SKEW:
        problems["checked_at"] = _("The check's time %(at)s is in the future.") % {
            "at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
        }
    if not station.active:
        problems["station"] = _("%(station)s is closed: it takes no checks.") % {
            "station": station.name
        }
    if data.identity is not None and data.identity.identity_number.strip():
        try:
            parse_resident_id(data.identity.identity_number)
        except IdentityNumberError:
            problems["identity_number"] = _("%(number)s is not a valid identity number.") % {
                "number": data.identity.identity_number.strip()
            }
    for name, value in (("origin_city", data.origin_city), ("destination", data.destination)):
        message = _too_long(name, value.strip())
        if message and name not in problems:
            problems[name] = message
    if problems:
        raise ValidationError(problems)
    return plate, new_energy, at


def _too_long(name: str, value: str) -> str:
    try:
        check_lengths(Check, **{name: value})
    except ValidationError as error:
        return str(error.messages[0])
    return ""


def _decided(station: Station, data: CheckInput, *, acting_user) -> tuple[Check, dict]:
    """The check with its decision, not yet written, and its audit detail."""
    now = timezone.now()
    plate, new_energy, at = _clean(station, data, now)
    rules = protocol()
    paths = [a.path for a in (data.origin_area, data.destination_area) if a is not None]
    tiers = risk_of_paths(paths, at) if paths else {}
    origin_risk = tiers.get(data.origin_area.path) if data.origin_area else None
    destination_risk = tiers.get(data.destination_area.path) if data.destination_area else None
    decision = decide(
        Facts(
            code_colour=data.code_colour,
            test_age_hours=data.test_age_hours,
            origin_tier=origin_risk.tier if origin_risk else None,
            destination_tier=destination_risk.tier if destination_risk else None,
            origin_outside=data.origin_area is None,
        ),
        rules.checkpoints,
    )
    check = Check(
        client_id=data.client_id,
        station=station,
        checked_at=at,
        day=local_day(at),
        plate=plate,
        new_energy=new_energy,
        people=data.people,
        origin_area=data.origin_area,
        origin_city="" if data.origin_area else data.origin_city.strip(),
        destination_area=data.destination_area,
        destination=data.destination.strip(),
        code_colour=data.code_colour,
        test_age_hours=data.test_age_hours,
        origin_tier=origin_risk.tier if origin_risk else "",
        destination_tier=destination_risk.tier if destination_risk else "",
        outcome=decision.outcome.value,
        # The deciding reason first, then the others in the engine's order.
        reasons=[
            {"code": r.code, "outcome": r.outcome.value, "params": r.params}
            for r in (decision.reason, *(r for r in decision.reasons if r is not decision.reason))
        ],
        protocol=rules.info.name,
        recorded_by=actor_user(acting_user),
        recorded_by_name=actor_name(acting_user),
    )
    detail = {
        "station": station.pk,
        "plate": plate,
        "people": data.people,
        "outcome": check.outcome,
        "reason": decision.reason.code,
        "zones": [
            {"id": r.zone_id, "name": r.zone_name}
            for r in (origin_risk, destination_risk)
            if r is not None
        ],
    }
    return check, detail


def _record_alone(station: Station, data: CheckInput, *, acting_user, request) -> Check | None:
    """A check that names nobody: the check and its audit record written in
    one statement on PostgreSQL (``fastpath.write``), nothing when its client
    id is stored already (None)."""
    check, detail = _decided(station, data, acting_user=acting_user)
    written = write.record_check(
        check,
        actor=acting_user,
        action=RECORD_ACTION,
        area=station.area,
        detail=detail,
        request=request,
    )
    return check if written else None


def _record(station: Station, data: CheckInput, *, acting_user, request) -> Check:
    """A check naming a person, written through the ORM with its audit record
    and, when its decision hands them on, their hand-off (in the caller's
    transaction)."""
    check, detail = _decided(station, data, acting_user=acting_user)
    check.save(force_insert=True)
    audit.record(
        actor=acting_user,
        action=RECORD_ACTION,
        obj=check,
        area=station.area,
        detail=detail,
        request=request,
    )
    if check.outcome in (Outcome.QUARANTINE, Outcome.TESTING) and (data.person or data.identity):
        person = resolve_person(
            check, data.person, data.identity, acting_user=acting_user, request=request
        )
        _hand_off(check, person, acting_user=acting_user)
    return check


def resolve_person(
    check: Check, person: Person | None, identity: Identity | None, *, acting_user, request=None
) -> Person:
    """The person named by the picker, or found in the index by the identity
    number read, or recorded as new (as screening records a pushed person)."""
    if person is not None:
        if not isinstance(acting_user, SystemActor) and not people_queries.can_see_person(
            acting_user, person
        ):
            raise PermissionDenied("person outside your jurisdiction")
        return person
    if identity is None or not identity.name.strip():
        raise ValidationError({"name": _("Name the person, or choose them from the index.")})
    number = ""
    if identity.identity_number.strip():
        try:
            number = parse_resident_id(identity.identity_number).number
        except IdentityNumberError:
            raise ValidationError(
                {
                    "identity_number": _("%(number)s is not a valid identity number.")
                    % {"number": identity.identity_number.strip()}
                }
            ) from None
        found = Person.objects.filter(identity_number=number, merged_into=None).first()
        if found is not None:
            return found
    village = _village_for(check, acting_user)
    try:
        return do_create_person(
            acting_user=acting_user,
            data={
                "name": identity.name.strip(),
                "identity_number": number,
                "phone": identity.phone.strip(),
                "village": village,
            },
            source_ref=f"checkpoints.check:{check.pk}",
            request=request,
            force=True,
        )
    except DuplicatePersonError as duplicate:
        return duplicate.candidates[0][0]


def _village_for(check: Check, acting_user) -> Area | None:
    """Where a person recorded at a check lives, as far as the check tells: the
    village of origin, else the station's village, when the officer sees it."""
    for area in (check.origin_area, check.station.area):
        visible = isinstance(acting_user, SystemActor) or can_see_area(acting_user, area)
        if area is not None and area.level == AreaLevel.VILLAGE and visible:
            return area
    return None


def _hand_off(check: Check, person: Person, *, acting_user) -> None:
    """A ``transfer`` hand-off (to centralised quarantine, as a close contact's)
    or a ``test`` hand-off (one test at once), for the station's area."""
    rules = protocol()
    origin = f"checkpoints.check:{check.pk}"
    detail: dict[str, Any] = {"station": check.station.name, "plate": check.plate}
    if check.outcome == Outcome.QUARANTINE:
        kind, to = HandoffKind.TRANSFER, TaskForceKind.TRANSFER
        due_at = check.checked_at + dt.timedelta(hours=rules.deadlines.transfer_hours)
        days = dict(rules.quarantine.stages("close")).get("centralised", 0)
        detail.update({"kind": "close", "days": days})
    else:
        kind, to = HandoffKind.TEST, TaskForceKind.TESTING
        due_at = check.checked_at + dt.timedelta(hours=rules.testing.scheduled_test_window_hours)
        detail.update(schedule.detail_of([ScheduledTest("checkpoint", 1, None, due_at)]))
    key = f"{origin}:{kind}"
    do_create_handoffs(
        [
            HandoffSpec(
                key=key,
                kind=kind,
                person_id=person.pk,
                area_id=check.station.area_id,
                from_task_force=TaskForceKind.LOCKDOWN,
                to_task_force=to,
                origin=origin,
                due_at=due_at,
                detail=detail,
            )
        ],
        acting_user=acting_user,
        origin_label=f"checkpoint {check.station.name}",
    )
    check.person = person
    check.handoff_key = key
    check.save(update_fields=["person", "handoff_key"])


@transaction.atomic
def do_name_person(
    check: Check,
    *,
    person: Person | None = None,
    identity: Identity | None = None,
    acting_user,
    request=None,
) -> Check:
    """Name the person of a check handed to quarantine or testing, and hand
    them off (a check recorded offline, or before anyone was named)."""
    require(acting_user, "edit_operations", check.station.area)
    if check.outcome not in (Outcome.QUARANTINE, Outcome.TESTING):
        raise ValidationError(
            {
                "person": _("This check's decision was %(outcome)s: nobody is handed on.")
                % {"outcome": check.get_outcome_display()}
            }
        )
    check = Check.objects.select_for_update().select_related("station__area").get(pk=check.pk)
    if check.handoff_key:
        raise ValidationError({"person": _("This check has handed its person on already.")})
    chosen = resolve_person(check, person, identity, acting_user=acting_user, request=request)
    _hand_off(check, chosen, acting_user=acting_user)
    audit.record(
        actor=acting_user,
        action="checkpoints.check.name_person",
        obj=check,
        area=check.station.area,
        detail={"person": chosen.pk, "handoff": check.handoff_key},
        request=request,
    )
    return check
