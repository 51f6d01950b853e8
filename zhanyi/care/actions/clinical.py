"""What the ward records and the discharge criteria read: temperatures and the
assessment of respiratory symptoms and lung imaging (ward rounds), and
nucleic-acid tests with their Ct values, in hospital and in the follow-up after
discharge. A positive test after discharge (复阳) raises an alert and hands the
person to the village team at once (a ``control`` hand-off)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.care.models import (
    Admission,
    Alert,
    AlertKind,
    NucleicTest,
    Observation,
    Progress,
    SampleKind,
    TestOutcome,
)
from zhanyi.core.actors import actor_name
from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
from zhanyi.handoffs.models import HandoffKind

from .common import audit_admission, local, protocol, require, when

#: Temperatures a thermometer can give a living person; anything else is a typo.
TEMPERATURE_RANGE = (Decimal("34.0"), Decimal("43.0"))


def temperature_of(value, field: str = "temperature") -> Decimal:
    """A body temperature in °C to one decimal ("36,8" and " 36.8 " are 36.8);
    refused outside 34–43 °C, saying the value."""
    try:
        number = Decimal(str(value).strip().replace(",", ".")).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: _("%(value)s is not a temperature in °C.") % {"value": value}}
        ) from None
    low, high = TEMPERATURE_RANGE
    if not low <= number <= high:
        raise ValidationError(
            {
                field: _("%(value)s °C is not a body temperature (%(low)s–%(high)s °C).")
                % {"value": number, "low": low, "high": high}
            }
        )
    return number


def _locked(admission: Admission) -> Admission:
    return (
        Admission.objects.select_for_update()
        .select_related("person", "area", "hospital", "ward")
        .get(pk=admission.pk)
    )


@transaction.atomic
def do_record_observation(
    admission: Admission,
    *,
    acting_user,
    at: dt.datetime | None = None,
    temperature=None,
    respiratory: str = "",
    imaging: str = "",
    request=None,
) -> Observation:
    """A ward round's temperature and assessments (any of them), while in hospital."""
    admission = _locked(admission)
    require(acting_user, "edit_person", admission.area)
    if admission.discharged_at is not None:
        raise ValidationError(
            {
                "at": _("The case was discharged at %(at)s: record check-ins instead.")
                % {"at": local(admission.discharged_at)}
            }
        )
    at = when(at, "at", not_before=admission.admitted_at, what=_("the admission"))
    has_temperature = temperature is not None and str(temperature).strip() != ""
    if not has_temperature and not respiratory and not imaging:
        raise ValidationError(
            {
                "temperature": _(
                    "Record a temperature, the respiratory symptoms or the lung imaging."
                )
            }
        )
    for field, value in (("respiratory", respiratory), ("imaging", imaging)):
        if value and value not in Progress.values:
            raise ValidationError({field: _("Unknown assessment %(value)s.") % {"value": value}})
    observation = Observation.objects.create(
        admission=admission,
        observed_at=at,
        temperature=temperature_of(temperature) if has_temperature else None,
        respiratory=respiratory,
        imaging=imaging,
        recorded_by_name=actor_name(acting_user),
    )
    audit_admission(
        "care.observation",
        acting_user=acting_user,
        admission=admission,
        request=request,
        detail={
            "at": at.isoformat(),
            "temperature": str(observation.temperature or ""),
            "respiratory": respiratory,
            "imaging": imaging,
        },
    )
    return observation


def _ct(value, field: str) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ".")).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: _("%(value)s is not a Ct value.") % {"value": value}}
        ) from None
    if not Decimal("0") < number <= Decimal("50"):
        raise ValidationError(
            {field: _("A Ct value lies between 0 and 50, not %(value)s.") % {"value": number}}
        )
    return number


def _repositive(admission: Admission, test: NucleicTest, *, acting_user) -> Alert:
    """A positive test after discharge (复阳): an alert for the hospital, and the
    village team takes the person under control within the protocol's hours."""
    alert = Alert.objects.create(
        admission=admission,
        kind=AlertKind.REPOSITIVE,
        raised_at=test.sampled_at,
        detail=_("Positive %(sample)s sampled %(at)s")
        % {"sample": test.get_sample_display(), "at": local(test.sampled_at)},
    )
    do_create_handoffs(
        [
            HandoffSpec(
                key=f"care.test:{test.pk}:control",
                kind=HandoffKind.CONTROL,
                person_id=admission.person_id,
                area_id=admission.area_id,
                from_task_force=TaskForceKind.COORDINATION,
                to_task_force=TaskForceKind.COMMUNITY,
                origin=f"care.admission:{admission.pk}",
                due_at=test.sampled_at
                + dt.timedelta(hours=protocol(admission.protocol).deadlines.control_hours),
                detail={"reason": "repositive", "hospital": admission.hospital.name},
            )
        ],
        acting_user=acting_user,
        origin_label=f"care: admission {admission.pk} positive after discharge",
    )
    return alert


@transaction.atomic
def do_record_test(
    admission: Admission,
    *,
    acting_user,
    result: str,
    sample: str = SampleKind.OROPHARYNGEAL,
    sampled_at: dt.datetime | None = None,
    ct_orf1ab=None,
    ct_n=None,
    request=None,
) -> NucleicTest:
    """A nucleic-acid test of the case, in hospital or after discharge (the
    follow-up). A positive one after discharge raises an alert and a control
    hand-off."""
    admission = _locked(admission)
    require(acting_user, "edit_person", admission.area)
    if result not in TestOutcome.values:
        raise ValidationError({"result": _("A result is negative or positive.")})
    if sample not in SampleKind.values:
        raise ValidationError({"sample": _("Unknown sample %(value)s.") % {"value": sample}})
    sampled_at = when(
        sampled_at, "sampled_at", not_before=admission.admitted_at, what=_("the admission")
    )
    test = NucleicTest.objects.create(
        admission=admission,
        sampled_at=sampled_at,
        sample=sample,
        result=result,
        ct_orf1ab=_ct(ct_orf1ab, "ct_orf1ab"),
        ct_n=_ct(ct_n, "ct_n"),
        recorded_by_name=actor_name(acting_user),
    )
    after_discharge = admission.discharged_at is not None and sampled_at >= admission.discharged_at
    alert = None
    if result == TestOutcome.POSITIVE and after_discharge:
        alert = _repositive(admission, test, acting_user=acting_user)
    audit_admission(
        "care.test",
        acting_user=acting_user,
        admission=admission,
        request=request,
        detail={
            "sampled_at": sampled_at.isoformat(),
            "sample": sample,
            "result": result,
            "ct_orf1ab": str(test.ct_orf1ab or ""),
            "ct_n": str(test.ct_n or ""),
            "after_discharge": after_discharge,
            "alert": alert.pk if alert else None,
        },
    )
    return test
