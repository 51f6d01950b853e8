"""Admission of a case to the designated hospital (收治入院), its condition over
time (病情) and transfers between hospitals and wards (转院、转病区).

The case is tracing's: admitting and transferring pass the hospital on
(``HandoffKind.CASE_ADMISSION``) in the same transaction, and tracing answers
the case's number, area and protocol, or refuses a person who is no case."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhanyi.care.models import Admission, Condition, ConditionRecord, Transfer, Ward
from zhanyi.core.actors import actor_name
from zhanyi.core.masking import mask_name
from zhanyi.handoffs import receivers
from zhanyi.handoffs.actions import do_close_handoff
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus
from zhanyi.people.models import Person

from .common import audit_admission, local, require, when


def _condition(condition: str) -> str:
    if condition not in Condition.values:
        raise ValidationError(
            {
                "condition": _("Unknown condition %(value)s: mild, moderate, severe or critical.")
                % {"value": condition}
            }
        )
    return condition


def _bed_in(ward: Ward) -> Ward:
    """The ward, locked, with a free bed; refused when every bed is taken or the
    hospital is not designated."""
    ward = Ward.objects.select_for_update().select_related("hospital__area").get(pk=ward.pk)
    if not ward.hospital.designated:
        raise ValidationError(
            {
                "ward": _("%(hospital)s is not a designated hospital: cases go to one.")
                % {"hospital": ward.hospital.name}
            }
        )
    taken = Admission.objects.filter(ward=ward, discharged_at=None).count()
    if taken >= ward.beds:
        raise ValidationError(
            {
                "ward": _("Ward %(ward)s of %(hospital)s has %(beds)d beds, all taken.")
                % {"ward": ward.name, "hospital": ward.hospital.name, "beds": ward.beds}
            }
        )
    return ward


def _in_hospital(admission: Admission) -> Admission:
    """The admission, locked and re-read; refused once discharged."""
    admission = (
        Admission.objects.select_for_update()
        .select_related("person", "area", "hospital", "ward")
        .get(pk=admission.pk)
    )
    if admission.discharged_at is not None:
        raise ValidationError(
            {
                "admission": _("Admission #%(id)s ended with the discharge at %(at)s.")
                % {"id": admission.pk, "at": local(admission.discharged_at)}
            }
        )
    return admission


@transaction.atomic
def do_admit(
    person: Person,
    ward: Ward,
    *,
    condition: str,
    acting_user,
    admitted_at: dt.datetime | None = None,
    note: str = "",
    request=None,
) -> Admission:
    """The case of ``person`` admitted to a ward of a designated hospital, in
    ``condition`` (轻型, 普通型, 重型, 危重型)."""
    require(acting_user, "edit_person", check_area=False)
    condition = _condition(condition)
    admitted_at = when(admitted_at, "admitted_at")
    ward = _bed_in(ward)
    open_stay = Admission.objects.filter(person=person, discharged_at=None).first()
    if open_stay is not None:
        raise ValidationError(
            {
                "person": _("%(name)s is in %(hospital)s already (admission #%(id)s).")
                % {
                    "name": mask_name(person.name),
                    "hospital": open_stay.hospital.name,
                    "id": open_stay.pk,
                }
            }
        )
    case = receivers.pass_on(
        HandoffKind.CASE_ADMISSION,
        person=person,
        hospital=ward.hospital.name,
        at=admitted_at,
        source=f"care.ward:{ward.pk}",
        acting_user=acting_user,
        request=request,
    )
    require(acting_user, "edit_person", case["area"])
    try:
        with transaction.atomic():
            admission = Admission.objects.create(
                person=person,
                area=case["area"],
                case_id=case["case_id"],
                hospital=ward.hospital,
                ward=ward,
                condition=condition,
                admitted_at=admitted_at,
                admitted_by_name=actor_name(acting_user),
                protocol=case["protocol"],
            )
    except IntegrityError:
        raise ValidationError(
            {"person": _("%(name)s was admitted a moment ago.") % {"name": mask_name(person.name)}}
        ) from None
    referrals = Handoff.objects.filter(
        kind=HandoffKind.ADMISSION, status=HandoffStatus.OPEN, person=person
    )
    for referral in referrals:  # a fever clinic's referral to the designated hospital
        do_close_handoff(
            referral,
            acting_user=acting_user,
            outcome=f"care.admission:{admission.pk} {ward.hospital.name}"[:255],
            request=request,
        )
    ConditionRecord.objects.create(
        admission=admission,
        condition=condition,
        recorded_at=admitted_at,
        recorded_by_name=actor_name(acting_user),
        note=note[:500],
    )
    audit_admission(
        "care.admit",
        acting_user=acting_user,
        admission=admission,
        request=request,
        detail={
            "case": case["case_id"],
            "hospital": ward.hospital.name,
            "ward": ward.name,
            "condition": condition,
            "admitted_at": admitted_at.isoformat(),
        },
    )
    return admission


@transaction.atomic
def do_record_condition(
    admission: Admission,
    condition: str,
    *,
    acting_user,
    at: dt.datetime | None = None,
    note: str = "",
    request=None,
) -> ConditionRecord:
    """The condition as assessed at ``at``; the admission's current condition is
    the latest one recorded."""
    admission = _in_hospital(admission)
    require(acting_user, "edit_person", admission.area)
    condition = _condition(condition)
    at = when(at, "at", not_before=admission.admitted_at, what=_("the admission"))
    record = ConditionRecord.objects.create(
        admission=admission,
        condition=condition,
        recorded_at=at,
        recorded_by_name=actor_name(acting_user),
        note=" ".join(note.split())[:500],
    )
    before = admission.condition
    latest = admission.conditions.order_by("-recorded_at", "-id").first()
    if latest is not None and latest.condition != admission.condition:
        admission.condition = latest.condition
        admission.save(update_fields=["condition"])
    audit_admission(
        "care.condition",
        acting_user=acting_user,
        admission=admission,
        request=request,
        detail={
            "condition": condition,
            "at": at.isoformat(),
            "current": [before, admission.condition],
        },
    )
    return record


@transaction.atomic
def do_transfer(
    admission: Admission,
    to_ward: Ward,
    *,
    acting_user,
    reason: str,
    at: dt.datetime | None = None,
    request=None,
) -> Transfer:
    """The case moves to another ward, of the same hospital or another (转院);
    tracing's case names the new hospital."""
    admission = _in_hospital(admission)
    require(acting_user, "edit_person", admission.area)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why the case is transferred.")})
    if to_ward.pk == admission.ward_id:
        raise ValidationError(
            {"to_ward": _("The case is in ward %(ward)s already.") % {"ward": to_ward.name}}
        )
    last = admission.transfers.order_by("-transferred_at").first()
    since = last.transferred_at if last else admission.admitted_at
    at = when(at, "at", not_before=since, what=_("the admission or the last transfer"))
    from_ward = admission.ward
    to_ward = _bed_in(to_ward)
    if to_ward.hospital_id != admission.hospital_id:
        receivers.pass_on(
            HandoffKind.CASE_ADMISSION,
            person=admission.person,
            hospital=to_ward.hospital.name,
            at=at,
            source=f"care.admission:{admission.pk}",
            acting_user=acting_user,
            request=request,
        )
    transfer = Transfer.objects.create(
        admission=admission,
        from_ward=from_ward,
        to_ward=to_ward,
        transferred_at=at,
        reason=reason[:255],
        transferred_by_name=actor_name(acting_user),
    )
    admission.ward, admission.hospital = to_ward, to_ward.hospital
    admission.save(update_fields=["ward", "hospital"])
    audit_admission(
        "care.transfer",
        acting_user=acting_user,
        admission=admission,
        request=request,
        detail={
            "from": str(from_ward),
            "to": str(to_ward),
            "reason": reason,
            "at": at.isoformat(),
        },
    )
    return transfer
