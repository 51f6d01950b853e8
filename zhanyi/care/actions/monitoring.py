"""The health monitoring after discharge (出院后健康监测): one check-in a day
over the protocol's ``monitoring_days``; a fever or symptoms raise an alert
for the hospital. Alerts (and re-positive ones, ``clinical``) are closed with
what was done."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.care.models import Admission, Alert, AlertKind, CheckIn
from zhanyi.core.actors import actor_name
from zhanyi.engine.care import monitoring_day

from .clinical import temperature_of
from .common import audit_admission, local, require, rule, when


@transaction.atomic
def do_check_in(
    admission: Admission,
    *,
    acting_user,
    temperature,
    symptoms: bool = False,
    note: str = "",
    at: dt.datetime | None = None,
    request=None,
) -> CheckIn:
    """The day's check-in of a discharged case under monitoring; one a day."""
    admission = (
        Admission.objects.select_for_update()
        .select_related("person", "area", "hospital")
        .get(pk=admission.pk)
    )
    require(acting_user, "edit_person", admission.area)
    if admission.discharged_at is None or admission.monitoring_until is None:
        raise ValidationError({"at": _("The case is in hospital: check-ins follow the discharge.")})
    at = when(at, "at", not_before=admission.discharged_at, what=_("the discharge"))
    if at >= admission.monitoring_until:
        raise ValidationError(
            {
                "at": _("The monitoring ended at %(end)s.")
                % {"end": local(admission.monitoring_until)}
            }
        )
    celsius = temperature_of(temperature)
    day = monitoring_day(admission.discharged_at, at)
    existing = admission.check_ins.filter(day=day).first()
    if existing is not None:
        raise ValidationError(
            {
                "at": _("Day %(day)d has its check-in already (%(at)s).")
                % {"day": day, "at": local(existing.checked_at)}
            }
        )
    try:
        with transaction.atomic():
            check_in = CheckIn.objects.create(
                admission=admission,
                day=day,
                checked_at=at,
                temperature=celsius,
                symptoms=symptoms,
                note=" ".join(note.split())[:500],
                recorded_by_name=actor_name(acting_user),
            )
    except IntegrityError:
        raise ValidationError(
            {"at": _("Day %(day)d has its check-in already.") % {"day": day}}
        ) from None
    fever = float(celsius) >= rule(admission.protocol).fever_celsius
    alert = None
    if fever or symptoms:
        alert = Alert.objects.create(
            admission=admission,
            kind=AlertKind.FEVER,
            raised_at=at,
            detail=_("Day %(day)d: %(celsius)s °C%(symptoms)s")
            % {"day": day, "celsius": celsius, "symptoms": _(", symptoms") if symptoms else ""},
        )
    audit_admission(
        "care.check_in",
        acting_user=acting_user,
        admission=admission,
        request=request,
        detail={
            "day": day,
            "temperature": str(celsius),
            "symptoms": symptoms,
            "alert": alert.pk if alert else None,
        },
    )
    return check_in


@transaction.atomic
def do_close_alert(alert: Alert, *, acting_user, outcome: str, request=None) -> Alert:
    """Close an alert, saying what was done (seen by a doctor, re-admitted …)."""
    alert = (
        Alert.objects.select_for_update()
        .select_related("admission__person", "admission__area")
        .get(pk=alert.pk)
    )
    require(acting_user, "edit_person", alert.admission.area)
    outcome = " ".join((outcome or "").split())
    if not outcome:
        raise ValidationError({"outcome": _("Say what was done about the alert.")})
    if alert.closed_at is not None:
        raise ValidationError(
            {"outcome": _("The alert was closed at %(at)s.") % {"at": local(alert.closed_at)}}
        )
    alert.closed_at = timezone.now()
    alert.closed_by_name = actor_name(acting_user)
    alert.outcome = outcome[:255]
    alert.save(update_fields=["closed_at", "closed_by_name", "outcome"])
    audit_admission(
        "care.alert.close",
        acting_user=acting_user,
        admission=alert.admission,
        request=request,
        detail={"alert": alert.pk, "kind": alert.kind, "outcome": alert.outcome},
    )
    return alert
