"""The coast (海上、渔港、岸线): fishing vessels, their entry and exit reports
(进出港报告), crew health checks on landing, patrols, and the vessels overdue."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.checkpoints.models import (
    CrewCheck,
    Movement,
    Patrol,
    PortReport,
    Station,
    StationKind,
    Vessel,
    VesselState,
)
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.periodic import SCHEDULER

from .common import check_lengths, require

MAX_CREW = 200


def _require_port(station: Station, field: str = "port") -> None:
    if station.kind != StationKind.PORT:
        raise ValidationError({field: _("%(station)s is not a port.") % {"station": station.name}})


@transaction.atomic
def do_register_vessel(
    *,
    acting_user,
    registration: str,
    home_port: Station,
    name: str = "",
    skipper: str = "",
    request=None,
) -> Vessel:
    """A fishing vessel registered at its home port."""
    require(acting_user, "edit_operations", home_port.area)
    registration = "".join(registration.split()).upper()
    if not registration:
        raise ValidationError({"registration": _("Type the vessel's registration.")})
    _require_port(home_port, "home_port")
    check_lengths(Vessel, registration=registration, name=name, skipper=skipper)
    if Vessel.objects.filter(registration=registration).exists():
        raise ValidationError(
            {
                "registration": _("Vessel %(registration)s is registered already.")
                % {"registration": registration}
            }
        )
    vessel = Vessel.objects.create(
        registration=registration, home_port=home_port, name=name.strip(), skipper=skipper.strip()
    )
    audit.record(
        actor=acting_user,
        action="checkpoints.vessel.register",
        obj=vessel,
        area=home_port.area,
        detail={"registration": registration, "home_port": home_port.pk},
        request=request,
    )
    return vessel


@transaction.atomic
def do_report_movement(
    vessel: Vessel,
    *,
    port: Station,
    movement: str,
    crew: int,
    at: dt.datetime | None = None,
    crew_names: str = "",
    due_back_at: dt.datetime | None = None,
    acting_user,
    request=None,
) -> PortReport:
    """A vessel leaves (with the time it will be back) or enters a port."""
    require(acting_user, "edit_operations", port.area)
    _require_port(port)
    at = at or timezone.now()
    vessel = Vessel.objects.select_for_update().get(pk=vessel.pk)
    if movement not in Movement.values:
        raise ValidationError({"movement": _("A report is of an exit or an entry.")})
    if not 1 <= crew <= MAX_CREW:
        raise ValidationError({"crew": _("Between 1 and %(max)d crew.") % {"max": MAX_CREW}})
    if movement == Movement.EXIT:
        if vessel.state == VesselState.AT_SEA:
            raise ValidationError(
                {
                    "movement": _("%(vessel)s is at sea already: report its entry first.")
                    % {"vessel": vessel.registration}
                }
            )
        if due_back_at is None or due_back_at <= at:
            raise ValidationError(
                {"due_back_at": _("Say when the vessel will be back, after it leaves.")}
            )
    elif vessel.state == VesselState.IN_PORT:
        raise ValidationError(
            {
                "movement": _("%(vessel)s is in port: it has no exit to end.")
                % {"vessel": vessel.registration}
            }
        )
    report = PortReport.objects.create(
        vessel=vessel,
        port=port,
        movement=movement,
        at=at,
        crew=crew,
        crew_names=crew_names.strip(),
        due_back_at=due_back_at if movement == Movement.EXIT else None,
        recorded_by_name=actor_name(acting_user),
    )
    if movement == Movement.EXIT:
        vessel.state, vessel.due_back_at, vessel.overdue_since = (
            VesselState.AT_SEA,
            due_back_at,
            None,
        )
    else:
        vessel.state, vessel.due_back_at, vessel.overdue_since = VesselState.IN_PORT, None, None
    vessel.save(update_fields=["state", "due_back_at", "overdue_since"])
    audit.record(
        actor=acting_user,
        action=f"checkpoints.vessel.{movement}",
        obj=vessel,
        area=port.area,
        detail={
            "port": port.pk,
            "crew": crew,
            "at": at.isoformat(),
            "due_back_at": due_back_at.isoformat() if due_back_at else None,
        },
        request=request,
    )
    return report


@transaction.atomic
def do_record_crew_check(
    vessel: Vessel,
    *,
    port: Station,
    crew_checked: int,
    fever: int = 0,
    sampled: int = 0,
    foreign_contact: bool = False,
    notes: str = "",
    at: dt.datetime | None = None,
    acting_user,
    request=None,
) -> CrewCheck:
    """The crew's health check on landing (上岸渔民卫生防疫)."""
    require(acting_user, "edit_operations", port.area)
    _require_port(port)
    if not 1 <= crew_checked <= MAX_CREW:
        raise ValidationError(
            {"crew_checked": _("Between 1 and %(max)d crew.") % {"max": MAX_CREW}}
        )
    if not (0 <= fever <= crew_checked and 0 <= sampled <= crew_checked):
        raise ValidationError(
            {
                "fever": _("No more with fever or sampled than the crew checked (%(n)d).")
                % {"n": crew_checked}
            }
        )
    check_lengths(CrewCheck, notes=notes)
    check = CrewCheck.objects.create(
        vessel=vessel,
        port=port,
        at=at or timezone.now(),
        crew_checked=crew_checked,
        fever=fever,
        sampled=sampled,
        foreign_contact=foreign_contact,
        notes=notes.strip(),
        recorded_by_name=actor_name(acting_user),
    )
    audit.record(
        actor=acting_user,
        action="checkpoints.crew_check.record",
        obj=check,
        area=port.area,
        detail={
            "vessel": vessel.registration,
            "crew_checked": crew_checked,
            "fever": fever,
            "sampled": sampled,
            "foreign_contact": foreign_contact,
        },
        request=request,
    )
    return check


@transaction.atomic
def do_record_patrol(
    port: Station,
    *,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    route: str,
    vessels_checked: int = 0,
    findings: str = "",
    acting_user,
    request=None,
) -> Patrol:
    """A patrol of the coast or the sea from a port (执法巡查)."""
    require(acting_user, "edit_operations", port.area)
    _require_port(port)
    if ended_at <= started_at:
        raise ValidationError({"ended_at": _("A patrol ends after it starts.")})
    if not route.strip():
        raise ValidationError({"route": _("Say where the patrol went.")})
    check_lengths(Patrol, route=route.strip())
    patrol = Patrol.objects.create(
        port=port,
        started_at=started_at,
        ended_at=ended_at,
        route=route.strip(),
        vessels_checked=vessels_checked,
        findings=findings.strip(),
        recorded_by_name=actor_name(acting_user),
    )
    audit.record(
        actor=acting_user,
        action="checkpoints.patrol.record",
        obj=patrol,
        area=port.area,
        detail={"route": patrol.route, "vessels_checked": vessels_checked},
        request=request,
    )
    return patrol


@transaction.atomic
def do_flag_overdue(*, now: dt.datetime | None = None, acting_user=SCHEDULER) -> int:
    """Flag the vessels at sea past the time their exit report gave; one audit
    record per vessel flagged (its port's area sees it)."""
    now = now or timezone.now()
    late = list(
        Vessel.objects.select_for_update()
        .select_related("home_port__area")
        .filter(state=VesselState.AT_SEA, due_back_at__lt=now, overdue_since=None)
    )
    for vessel in late:
        vessel.overdue_since = now
        vessel.save(update_fields=["overdue_since"])
        audit.record(
            actor=acting_user,
            action="checkpoints.vessel.overdue",
            obj=vessel,
            area=vessel.home_port.area,
            detail={"due_back_at": vessel.due_back_at.isoformat() if vessel.due_back_at else None},
        )
    return len(late)
