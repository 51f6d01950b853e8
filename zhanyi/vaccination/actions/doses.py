"""A dose recorded at the site (现场接种登记): once per person and dose number."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.lengths import too_long
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.people.models import Person
from zhanyi.vaccination.models import (
    Appointment,
    AppointmentState,
    Dose,
    DoseSource,
    Site,
    Vaccine,
)
from zhanyi.vaccination.rules import rules

from . import tallies
from .common import require


def _local(moment: dt.datetime) -> str:
    return f"{moment.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"


def twice_message(person: Person, earlier: Dose) -> str:
    where = earlier.site.name if earlier.site_id and earlier.site else earlier.site_name
    return _(
        "%(name)s already has dose %(dose)d, given %(when)s at %(site)s: a dose is recorded once."
    ) % {
        "name": person.name,
        "dose": earlier.dose_number,
        "when": _local(earlier.given_at),
        "site": where or _("an unknown site"),
    }


def _check_course(person: Person, vaccine: Vaccine, dose_number: int, given_at: dt.datetime):
    rule = rules()
    top = rule.max_dose(vaccine.code)
    if not 1 <= dose_number <= top:
        raise ValidationError(
            {
                "dose_number": _("%(vaccine)s is given in doses 1 to %(top)d, not %(dose)d.")
                % {"vaccine": vaccine.name, "top": top, "dose": dose_number}
            }
        )
    if dose_number == 1:
        return
    previous = (
        Dose.objects.filter(person=person, dose_number=dose_number - 1)
        .select_related("vaccine")
        .first()
    )
    if previous is None:
        raise ValidationError(
            {
                "dose_number": _("%(name)s has no dose %(previous)d recorded: record it first.")
                % {"name": person.name, "previous": dose_number - 1}
            }
        )
    days = rule.min_interval_days.get(previous.vaccine.code, 0)
    if given_at < previous.given_at + dt.timedelta(days=days):
        raise ValidationError(
            {
                "given_at": _(
                    "Dose %(dose)d comes at least %(days)d days after dose %(previous)d, "
                    "given %(when)s."
                )
                % {
                    "dose": dose_number,
                    "days": days,
                    "previous": dose_number - 1,
                    "when": _local(previous.given_at),
                }
            }
        )


@transaction.atomic
def do_record_dose(
    *,
    acting_user,
    person: Person,
    vaccine: Vaccine,
    dose_number: int,
    site: Site,
    batch: str = "",
    given_at: dt.datetime | None = None,
    request=None,
) -> Dose:
    """Record a dose given at ``site``. Refused: a dose number the person has
    already (a dose recorded twice), a number beyond the vaccine's course and
    booster, a later dose before the previous one or before the protocol's
    interval, a closed site, a time in the future."""
    require(acting_user, "edit_operations", site.area)
    now = timezone.now()
    given_at = given_at or now
    if timezone.is_naive(given_at):
        raise ValueError("given_at must be timezone-aware")
    if given_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"given_at": _("A dose cannot be given in the future.")})
    if not site.active:
        raise ValidationError({"site": _("Site %(site)s is closed.") % {"site": site.name}})
    batch = " ".join((batch or "").split())
    if long := too_long(Dose, "batch", batch):
        raise ValidationError({"batch": long})
    # One person's doses are recorded one at a time: lock the person.
    person = (
        Person.objects.select_for_update(of=("self",)).select_related("village").get(pk=person.pk)
    )
    earlier = (
        Dose.objects.filter(person=person, dose_number=dose_number).select_related("site").first()
    )
    if earlier is not None:
        raise ValidationError({"dose_number": twice_message(person, earlier)})
    _check_course(person, vaccine, dose_number, given_at)
    try:
        with transaction.atomic():
            dose = Dose.objects.create(
                person=person,
                vaccine=vaccine,
                dose_number=dose_number,
                batch=batch,
                site=site,
                given_at=given_at,
                village=person.village,
                birth_date=person.birth_date,
                completes_course=dose_number == rules().course_doses[vaccine.code],
                source=DoseSource.SITE,
                recorded_by_name=actor_name(acting_user),
            )
    except IntegrityError:  # an import stored it meanwhile
        earlier = Dose.objects.select_related("site").get(person=person, dose_number=dose_number)
        raise ValidationError({"dose_number": twice_message(person, earlier)}) from None
    tallies.add_recorded(dose)
    attended = Appointment.objects.filter(
        person=person, dose_number=dose_number, state=AppointmentState.BOOKED
    ).update(state=AppointmentState.ATTENDED)
    audit.record(
        actor=acting_user,
        action="vaccination.dose.record",
        obj=dose,
        area=person.village,
        detail={
            "person": person.pk,
            "vaccine": vaccine.code,
            "dose_number": dose_number,
            "batch": batch,
            "site": site.name,
            "given_at": given_at.isoformat(),
            "appointment_attended": bool(attended),
        },
        request=request,
    )
    return dose
