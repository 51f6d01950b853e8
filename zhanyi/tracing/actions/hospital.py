"""A case in hospital: what tracing keeps of an admission and a discharge.

Hospital care (``zhanyi.care``) owns admission, transfer and discharge and checks
the protocol's discharge criteria; it passes each on here
(``zhanyi.handoffs.receivers``, kinds ``case_admission`` and ``case_discharge``)
in its own transaction, so the case names its hospital and is discharged, with
its health code recomputed, exactly when the care record says so. There is no
other way to discharge a case.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core.masking import mask_name
from zhanyi.handoffs import receivers
from zhanyi.handoffs.models import HandoffKind
from zhanyi.people.models import Person
from zhanyi.tracing.models import Case, CaseStatus

from .common import audit_case, aware, recompute_codes, require


def _case_of(person: Person) -> Case:
    case = (
        Case.objects.select_for_update()
        .select_related("person", "area")
        .filter(person_id=person.pk)
        .first()
    )
    if case is None:
        raise ValidationError(
            {
                "person": _(
                    "%(name)s has no case: only a case is admitted to the designated hospital."
                )
                % {"name": mask_name(person.name)}
            }
        )
    return case


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@receivers.receives(HandoffKind.CASE_ADMISSION)
def receive_admission(
    *, person: Person, hospital: str, at: dt.datetime, source: str, acting_user, request=None
) -> dict:
    """The case of ``person`` is in ``hospital`` from ``at`` (admitted, or
    transferred there; a discharged case admitted again, positive after its
    discharge, is open again). Answers what care keeps of the case: its number,
    its area (the jurisdiction), its protocol."""
    case = _case_of(person)
    require(acting_user, "edit_person", case.area)
    aware(at, "at")
    discharged_at = case.discharged_at
    readmitted = discharged_at is not None
    if discharged_at is not None and at < discharged_at:
        raise ValidationError(
            {
                "admitted_at": _("Case #%(id)s was discharged at %(at)s, after this admission.")
                % {"id": case.pk, "at": _local(discharged_at)}
            }
        )
    if at < case.sampled_at:
        raise ValidationError(
            {
                "admitted_at": _(
                    "A case cannot be in hospital before its positive sample (%(at)s)."
                )
                % {"at": _local(case.sampled_at)}
            }
        )
    before = case.hospital
    case.hospital = hospital[:200]
    fields = ["hospital"]
    if case.transferred_at is None:
        case.transferred_at = at
        fields.append("transferred_at")
    if case.isolated_at is None:
        case.isolated_at = at
        fields.append("isolated_at")
    if readmitted:
        # Positive again after discharge (复阳) and admitted again: the case is
        # open again, and its code follows.
        case.discharged_at = None
        case.status = (
            CaseStatus.INVESTIGATED
            if case.investigated_at is not None
            else CaseStatus.INVESTIGATING
        )
        fields += ["discharged_at", "status"]
    case.save(update_fields=fields)
    audit_case(
        "case.hospital",
        acting_user=acting_user,
        case=case,
        request=request,
        detail={"hospital": [before, case.hospital], "source": source, "readmitted": readmitted},
    )
    if readmitted:
        recompute_codes(
            [case.person_id], reason=f"tracing.case:{case.pk} readmitted", acting_user=acting_user
        )
    return {"case_id": case.pk, "area": case.area, "protocol": case.protocol}


@receivers.receives(HandoffKind.CASE_DISCHARGE)
def receive_discharge(
    *, person: Person, discharged_at: dt.datetime, source: str, acting_user, request=None
) -> int:
    """The case of ``person`` is discharged (出院) at ``discharged_at``, as care
    decided under the protocol's criteria; its health code is recomputed.
    Answers the case's number."""
    case = _case_of(person)
    require(acting_user, "edit_person", case.area)
    if case.discharged_at is not None:
        raise ValidationError({"status": _("The case is already discharged.")})
    case.discharged_at = aware(discharged_at, "discharged_at")
    if case.discharged_at < case.reported_at:
        raise ValidationError({"discharged_at": _("Discharge cannot be before the result.")})
    case.status = CaseStatus.DISCHARGED
    case.save(update_fields=["discharged_at", "status"])
    audit_case(
        "case.discharge",
        acting_user=acting_user,
        case=case,
        request=request,
        detail={"source": source},
    )
    recompute_codes(
        [case.person_id], reason=f"tracing.case:{case.pk} discharged", acting_user=acting_user
    )
    return case.pk
