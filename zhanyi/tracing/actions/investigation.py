"""The investigation workbench's writes: trajectory, interviews, exposures."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core.actors import actor_user
from zhanyi.core.masking import mask_name
from zhanyi.people.models import Person
from zhanyi.places.models import Area, Place
from zhanyi.tracing.models import (
    Case,
    Certainty,
    Exposure,
    ExposureSetting,
    Interview,
    TrajectoryEntry,
)

from .common import audit_case, aware, require


def _case_for_write(case: Case, acting_user) -> Case:
    case = Case.objects.select_related("person", "area").get(pk=case.pk)
    require(acting_user, "edit_person", case.area)
    return case


@transaction.atomic
def do_add_trajectory_entry(
    case: Case,
    *,
    acting_user,
    start: dt.datetime,
    end: dt.datetime | None = None,
    place: Place | None = None,
    area: Area | None = None,
    description: str = "",
    request=None,
) -> TrajectoryEntry:
    """One stop of the case's trajectory (活动轨迹): a place, an area or a description."""
    case = _case_for_write(case, acting_user)
    aware(start, "start")
    errors: dict[str, str] = {}
    if end is not None:
        aware(end, "end")
        if end < start:
            errors["end"] = _("The stay cannot end before it starts.")
    if place is None and area is None and not description.strip():
        errors["place"] = _("Name a place, an area or describe where.")
    if errors:
        raise ValidationError(errors)
    if area is None and place is not None:
        area = place.area
    entry = TrajectoryEntry.objects.create(
        case=case, place=place, area=area, description=description.strip(), start=start, end=end
    )
    audit_case(
        "case.trajectory_add",
        acting_user=acting_user,
        case=case,
        request=request,
        detail={"entry": entry.pk, "place": place.pk if place else None},
    )
    return entry


@transaction.atomic
def do_add_interview(
    case: Case,
    *,
    acting_user,
    held_at: dt.datetime,
    summary: str,
    interviewer: str = "",
    interviewee: Person | None = None,
    request=None,
) -> Interview:
    """An interview (询问) of the case or a witness, with its summary."""
    case = _case_for_write(case, acting_user)
    aware(held_at, "held_at")
    if not summary.strip():
        raise ValidationError({"summary": _("Write what the interview found.")})
    if interviewee is not None:
        require(acting_user, "view_person", interviewee.village or case.area)
    interview = Interview.objects.create(
        case=case,
        interviewee=interviewee,
        held_at=held_at,
        interviewer=(interviewer or getattr(acting_user, "get_username", lambda: "")())[:150],
        summary=summary.strip(),
    )
    audit_case(
        "case.interview_add",
        acting_user=acting_user,
        case=case,
        request=request,
        detail={"interview": interview.pk, "interviewee": interviewee.pk if interviewee else None},
    )
    return interview


@transaction.atomic
def do_record_exposure(
    case: Case,
    *,
    acting_user,
    person_a: Person,
    person_b: Person,
    setting: str,
    exposed_at: dt.datetime,
    certainty: str = Certainty.CONFIRMED,
    place: Place | None = None,
    note: str = "",
    request=None,
) -> Exposure:
    """An exposure edge between two persons of the index, found by the case's
    investigation. The contacts it implies appear when the case's contacts are
    expanded (``do_expand_contacts``)."""
    case = _case_for_write(case, acting_user)
    aware(exposed_at, "exposed_at")
    errors: dict[str, str] = {}
    if setting not in ExposureSetting.values:
        errors["setting"] = _("Unknown setting %(value)s.") % {"value": setting}
    if certainty not in Certainty.values:
        errors["certainty"] = _("Unknown certainty %(value)s.") % {"value": certainty}
    if exposed_at > timezone.now():
        errors["exposed_at"] = _("An exposure cannot be in the future.")
    elif exposed_at.date() < settings.EARLIEST_EVENT_DATE:
        errors["exposed_at"] = _(
            "%(value)s is before %(earliest)s, earlier than this epidemic: check the year."
        ) % {"value": exposed_at.date().isoformat(), "earliest": settings.EARLIEST_EVENT_DATE}
    if len(note) > 255:
        errors["note"] = _("The note has %(length)s characters, more than 255; shorten it.") % {
            "length": f"{len(note):,}"
        }
    if person_a.pk == person_b.pk:
        errors["person_b"] = _("An exposure is between two different persons.")
    for name, p in (("person_a", person_a), ("person_b", person_b)):
        if p.merged_into_id is not None:
            errors[name] = _("This person was merged into another record; use the survivor.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            exposure = Exposure.objects.create(
                case=case,
                person_a=person_a,
                person_b=person_b,
                setting=setting,
                exposed_at=exposed_at,
                certainty=certainty,
                place=place,
                note=note,
                created_by=actor_user(acting_user),
            )
    except IntegrityError:
        raise ValidationError({"exposed_at": _("This exposure is recorded already.")}) from None
    audit_case(
        "case.exposure_add",
        acting_user=acting_user,
        case=case,
        request=request,
        detail={
            "exposure": exposure.pk,
            "persons": [person_a.pk, person_b.pk],
            "labels": [mask_name(person_a.name), mask_name(person_b.name)],
            "setting": setting,
        },
    )
    return exposure
