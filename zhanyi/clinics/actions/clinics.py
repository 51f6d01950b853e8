"""Clinics and their rooms (发热门诊、诊室), and their staff tested on a standing
schedule (医务人员定期核酸检测): one ``test`` hand-off per staff member whose
schedule (``zhanyi.handoffs.schedule``) holds a test every
``[clinics] staff_test_every_days`` days, written ``staff_test_horizon_days``
ahead and renewed by the clock; testing's due list picks them up like any
scheduled test."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.clinics.models import Clinic, ClinicKind, ClinicStaff, Room, StaffRole
from zhanyi.core import audit
from zhanyi.core.masking import mask_name
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.handoffs import schedule
from zhanyi.handoffs.actions import (
    HandoffSpec,
    do_cancel_handoffs,
    do_create_handoffs,
    do_extend_test_schedules,
)
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus
from zhanyi.handoffs.schedule import ScheduledTest
from zhanyi.people.models import Person
from zhanyi.places.models import Area

from .common import protocol, require, single_line

#: The stage testing's schedule shows for a staff member's tests.
STAFF_STAGE = "clinic_staff"


@transaction.atomic
def do_create_clinic(
    *,
    acting_user,
    name: str,
    kind: str,
    area: Area,
    address: str = "",
    rooms: int = 0,
    request=None,
) -> Clinic:
    """A fever clinic or fever sentinel post in ``area``, with ``rooms`` rooms
    named 1, 2, … (more can be added)."""
    require(acting_user, "edit_operations", area)
    name = single_line(name)
    errors = {}
    if not name:
        errors["name"] = _("Name the clinic.")
    elif Clinic.objects.filter(name=name).exists():
        errors["name"] = _("A clinic named %(name)s exists already.") % {"name": name}
    if kind not in ClinicKind.values:
        errors["kind"] = _("Unknown kind of clinic: %(kind)s.") % {"kind": kind}
    if not 0 <= rooms <= 200:
        errors["rooms"] = _("A clinic has from 0 to 200 rooms, not %(rooms)d.") % {"rooms": rooms}
    if errors:
        raise ValidationError(errors)
    clinic = Clinic.objects.create(
        name=name, kind=kind, area=area, address=single_line(address)[:255]
    )
    audit.record(
        actor=acting_user,
        action="clinics.clinic.create",
        obj=clinic,
        area=area,
        detail={"name": name, "kind": kind, "area": area.code},
        request=request,
    )
    if rooms:
        do_add_rooms(clinic, [str(i) for i in range(1, rooms + 1)], acting_user=acting_user)
    return clinic


@transaction.atomic
def do_add_rooms(clinic: Clinic, names: list[str], *, acting_user, request=None) -> list[Room]:
    """Rooms of a clinic by name; a name the clinic has already is refused."""
    require(acting_user, "edit_operations", clinic.area)
    names = [single_line(n) for n in names if single_line(n)]
    if not names:
        raise ValidationError({"rooms": _("Name at least one room.")})
    if long := [n for n in names if len(n) > 50]:
        raise ValidationError(
            {"rooms": _("A room's name has at most 50 characters: %(name)s.") % {"name": long[0]}}
        )
    taken = sorted(set(clinic.rooms.filter(name__in=names).values_list("name", flat=True)))
    if taken or len(set(names)) != len(names):
        repeated = taken or sorted({n for n in names if names.count(n) > 1})
        raise ValidationError(
            {
                "rooms": _("%(clinic)s has a room named %(names)s already.")
                % {"clinic": clinic.name, "names": "、".join(repeated)}
            }
        )
    rooms = Room.objects.bulk_create([Room(clinic=clinic, name=n) for n in names])
    audit.record(
        actor=acting_user,
        action="clinics.rooms.add",
        obj=clinic,
        area=clinic.area,
        detail={"rooms": names},
        request=request,
    )
    return rooms


def _local_midnight(moment: dt.datetime) -> dt.datetime:
    day = moment.astimezone(LOCAL_TZ).date()
    return dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)


def staff_tests(started_at: dt.datetime, now: dt.datetime) -> list[ScheduledTest]:
    """A staff member's standing schedule: from the day they started, one test
    in each window of ``staff_test_every_days`` days, up to
    ``staff_test_horizon_days`` after ``now``."""
    rule = protocol().clinics
    step = dt.timedelta(days=rule.staff_test_every_days)
    first = _local_midnight(started_at)
    until = max(now, started_at) + dt.timedelta(days=rule.staff_test_horizon_days)
    tests = []
    start, n = first, 0
    while start < until:
        day = n * rule.staff_test_every_days + 1
        tests.append(ScheduledTest(STAFF_STAGE, day, start, start + step))
        n += 1
        start = first + n * step
    return tests


def _staff_spec(staff: ClinicStaff, now: dt.datetime) -> HandoffSpec:
    tests = staff_tests(staff.started_at, now)
    first = schedule.current(tests)
    assert first is not None  # a schedule of tests not done
    return HandoffSpec(
        key=f"clinics.staff:{staff.pk}:tests",
        kind=HandoffKind.TEST,
        person_id=staff.person_id,
        area_id=staff.clinic.area_id,
        from_task_force=TaskForceKind.COORDINATION,
        to_task_force=TaskForceKind.TESTING,
        origin=f"clinics.staff:{staff.pk}",
        not_before=first.not_before,
        due_at=first.due_at,
        detail={**schedule.detail_of(tests), "clinic": staff.clinic.name},
    )


@transaction.atomic
def do_add_staff(
    clinic: Clinic,
    person: Person,
    *,
    role: str,
    acting_user,
    started_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
    request=None,
) -> ClinicStaff:
    """A person working at the clinic, and their standing test schedule handed to testing."""
    require(acting_user, "edit_operations", clinic.area)
    now = now or timezone.now()
    errors = {}
    if role not in StaffRole.values:
        errors["role"] = _("Unknown role: %(role)s.") % {"role": role}
    if ClinicStaff.objects.filter(clinic=clinic, person=person, ended_at=None).exists():
        errors["person"] = _("%(name)s works at %(clinic)s already.") % {
            "name": mask_name(person.name),
            "clinic": clinic.name,
        }
    if errors:
        raise ValidationError(errors)
    staff = ClinicStaff.objects.create(
        clinic=clinic, person=person, role=role, started_at=started_at or now
    )
    spec = _staff_spec(staff, now)
    do_create_handoffs([spec], acting_user=acting_user, origin_label=f"clinic {clinic.name}")
    staff.test_handoff = Handoff.objects.get(key=spec.key)
    staff.save(update_fields=["test_handoff"])
    audit.record(
        actor=acting_user,
        action="clinics.staff.add",
        obj=staff,
        area=clinic.area,
        detail={
            "clinic": clinic.name,
            "person": person.pk,
            "role": role,
            "every_days": protocol().clinics.staff_test_every_days,
        },
        request=request,
    )
    return staff


@transaction.atomic
def do_end_staff(staff: ClinicStaff, *, acting_user, request=None) -> ClinicStaff:
    """A staff member leaves the clinic: their remaining tests are cancelled."""
    require(acting_user, "edit_operations", staff.clinic.area)
    if staff.ended_at is not None:
        raise ValidationError(
            {
                "staff": _("%(name)s left %(clinic)s already.")
                % {"name": mask_name(staff.person.name), "clinic": staff.clinic.name}
            }
        )
    staff.ended_at = timezone.now()
    staff.save(update_fields=["ended_at"])
    if staff.test_handoff_id:
        do_cancel_handoffs(
            Handoff.objects.filter(pk=staff.test_handoff_id),
            acting_user=acting_user,
            reason=_("Left %(clinic)s") % {"clinic": staff.clinic.name},
        )
    audit.record(
        actor=acting_user,
        action="clinics.staff.end",
        obj=staff,
        area=staff.clinic.area,
        detail={"clinic": staff.clinic.name, "person": staff.person_id},
        request=request,
    )
    return staff


@transaction.atomic
def do_renew_staff_schedules(*, acting_user, now: dt.datetime | None = None) -> int:
    """Every serving staff member's schedule written ahead to the horizon
    (tests done stay done; a finished schedule opens again). The clock runs
    this daily; returns how many schedules changed."""
    require(acting_user, "edit_operations", check_area=False)
    now = now or timezone.now()
    serving = ClinicStaff.objects.filter(ended_at=None).select_related("clinic")
    specs = [_staff_spec(s, now) for s in serving]
    open_or_done = set(
        Handoff.objects.filter(
            key__in=[s.key for s in specs],
            status__in=[HandoffStatus.OPEN, HandoffStatus.DONE],
        ).values_list("key", flat=True)
    )
    return do_extend_test_schedules(
        [s for s in specs if s.key in open_or_done],
        acting_user=acting_user,
        reason="clinics: staff tests renewed",
    )
