"""Vaccines, sites and appointments (预约: individuals and work units)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.lengths import too_long
from zhanyi.people.models import Person
from zhanyi.places.models import Area
from zhanyi.vaccination.models import Appointment, AppointmentState, Site, SiteKind, Vaccine
from zhanyi.vaccination.rules import rules

from .common import require


@transaction.atomic
def do_add_vaccine(
    *, acting_user, code: str, name: str, maker: str = "", aliases=(), request=None
) -> Vaccine:
    """A vaccine product; its code must have a course in the protocol."""
    require(acting_user, "approve", check_area=False)
    code = code.strip().lower()
    if code not in rules().course_doses:
        raise ValidationError(
            {
                "code": _("The protocol has no course for vaccine %(code)s; known: %(known)s.")
                % {"code": code, "known": ", ".join(sorted(rules().course_doses))}
            }
        )
    vaccine, created = Vaccine.objects.update_or_create(
        code=code, defaults={"name": name.strip(), "maker": maker.strip(), "aliases": list(aliases)}
    )
    audit.record(
        actor=acting_user,
        action="vaccination.vaccine.add" if created else "vaccination.vaccine.change",
        obj=vaccine,
        detail={"code": code, "name": vaccine.name, "maker": vaccine.maker},
        request=request,
    )
    return vaccine


@transaction.atomic
def do_create_site(
    *, acting_user, name: str, area: Area, kind: str, address: str = "", request=None
) -> Site:
    """A vaccination site (接种点) of ``area``: fixed, temporary, mobile or door to door."""
    require(acting_user, "edit_operations", area)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("A site needs a name.")})
    for field, value in (("name", name), ("address", address)):
        if long := too_long(Site, field, value):
            raise ValidationError({field: long})
    if kind not in SiteKind.values:
        raise ValidationError({"kind": _("Unknown kind of site %(kind)s.") % {"kind": kind}})
    if Site.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A site named %(name)s exists already.") % {"name": name}})
    site = Site.objects.create(name=name, area=area, kind=kind, address=address)
    audit.record(
        actor=acting_user,
        action="vaccination.site.create",
        obj=site,
        area=area,
        detail={"name": name, "kind": kind},
        request=request,
    )
    return site


def _check_slot(slot_at: dt.datetime) -> None:
    if timezone.is_naive(slot_at):
        raise ValueError("slot_at must be timezone-aware")


@transaction.atomic
def do_book_appointment(
    *,
    acting_user,
    site: Site,
    slot_at: dt.datetime,
    person: Person | None = None,
    work_unit: str = "",
    headcount: int = 1,
    dose_number: int = 1,
    request=None,
) -> Appointment:
    """One person's appointment (个人预约), or a work unit's for ``headcount``
    of its people (团队预约), at an open site of the user's jurisdiction."""
    require(acting_user, "edit_operations", site.area)
    _check_slot(slot_at)
    work_unit = " ".join((work_unit or "").split())
    if not site.active:
        raise ValidationError({"site": _("Site %(site)s is closed.") % {"site": site.name}})
    if (person is None) == (not work_unit):
        raise ValidationError(
            {"person": _("An appointment is for one person or for a work unit, not both.")}
        )
    if long := too_long(Appointment, "work_unit", work_unit):
        raise ValidationError({"work_unit": long})
    if headcount < 1 or (person is not None and headcount != 1):
        raise ValidationError(
            {"headcount": _("A person's appointment is for 1; a work unit's for 1 or more.")}
        )
    if dose_number < 1:
        raise ValidationError({"dose_number": _("Doses are numbered from 1.")})
    if person is not None:
        require(acting_user, "edit_operations", person.village)
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                site=site,
                person=person,
                work_unit=work_unit,
                headcount=headcount,
                dose_number=dose_number,
                slot_at=slot_at,
                booked_by_name=actor_name(acting_user),
            )
    except IntegrityError:
        raise ValidationError(
            {
                "person": _("%(name)s already has an appointment for dose %(dose)d.")
                % {"name": person.name if person else work_unit, "dose": dose_number}
            }
        ) from None
    audit.record(
        actor=acting_user,
        action="vaccination.appointment.book",
        obj=appointment,
        area=site.area,
        detail={
            "site": site.name,
            "person": person.pk if person else None,
            "work_unit": work_unit,
            "headcount": headcount,
            "dose_number": dose_number,
            "slot_at": slot_at.isoformat(),
        },
        request=request,
    )
    return appointment


@transaction.atomic
def do_cancel_appointment(appointment: Appointment, *, acting_user, request=None) -> Appointment:
    appointment = (
        Appointment.objects.select_for_update().select_related("site__area").get(pk=appointment.pk)
    )
    require(acting_user, "edit_operations", appointment.site.area)
    if appointment.state != AppointmentState.BOOKED:
        raise ValidationError(
            {
                "state": _("The appointment is %(state)s already.")
                % {"state": appointment.get_state_display()}
            }
        )
    appointment.state = AppointmentState.CANCELLED
    appointment.save(update_fields=["state"])
    audit.record(
        actor=acting_user,
        action="vaccination.appointment.cancel",
        obj=appointment,
        area=appointment.site.area,
        request=request,
    )
    return appointment
