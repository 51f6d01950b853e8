"""Discharge (出院) under the protocol's criteria (``[discharge]``): refused,
saying each criterion that fails, until they all hold. A discharge starts the
health monitoring after it (``monitoring_days``) and passes the discharge on
to tracing (``HandoffKind.CASE_DISCHARGE``) in the same transaction: the case is
discharged and its health code recomputed, or nothing is stored."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhanyi.care.models import RESPIRATORY_SAMPLES, Admission, Progress, TestOutcome
from zhanyi.core.actors import actor_name
from zhanyi.engine.care import Assessment, Failure, Reading, TestResult, check_discharge
from zhanyi.handoffs import receivers
from zhanyi.handoffs.models import HandoffKind

from .common import audit_admission, local, require, rule, when


def failures_at(admission: Admission, at: dt.datetime) -> list[Failure]:
    """The criteria of the admission's protocol that fail at ``at``, from what is recorded."""
    observations = list(admission.observations.all())
    return check_discharge(
        rule(admission.protocol),
        at=at,
        temperatures=[
            Reading(o.observed_at, float(o.temperature))
            for o in observations
            if o.temperature is not None
        ],
        respiratory=[
            Assessment(o.observed_at, o.respiratory) for o in observations if o.respiratory
        ],
        imaging=[Assessment(o.observed_at, o.imaging) for o in observations if o.imaging],
        tests=[
            TestResult(
                t.sampled_at, t.result == TestOutcome.POSITIVE, t.sample in RESPIRATORY_SAMPLES
            )
            for t in admission.tests.all()
        ],
    )


def _progress(value: str) -> str:
    return str(dict(Progress.choices).get(value, value))


def failure_message(failure: Failure) -> str:
    """One criterion that fails, in the reader's words."""
    v = failure.values
    if failure.criterion == "temperature":
        if failure.reason == "none_recorded":
            return _("Temperature: none recorded; it must be normal for %(days)d days.") % v
        if failure.reason == "fever":
            return _("Temperature: %(celsius).1f °C at %(at)s, a fever (from %(fever).1f °C).") % {
                **v,
                "at": local(v["at"]),
            }
        return ngettext(
            "Temperature: normal (below %(fever).1f °C) since %(since)s, %(hours)d h; "
            "it must be normal for %(days)d day.",
            "Temperature: normal (below %(fever).1f °C) since %(since)s, %(hours)d h; "
            "it must be normal for %(days)d days.",
            v["days"],
        ) % {**v, "since": local(v["since"])}
    if failure.criterion in ("respiratory", "imaging"):
        what = (
            _("Respiratory symptoms") if failure.criterion == "respiratory" else _("Lung imaging")
        )
        if failure.reason == "not_assessed":
            return _("%(what)s: not assessed; they must be clearly improved.") % {"what": what}
        return _("%(what)s: %(value)s at %(at)s; they must be clearly improved.") % {
            "what": what,
            "value": _progress(v["value"]),
            "at": local(v["at"]),
        }
    if failure.reason == "positive":
        return _(
            "Nucleic-acid tests: the latest respiratory sample (%(at)s) is positive; "
            "%(needed)d negative in a row are needed, at least %(hours)d h apart."
        ) % {**v, "at": local(v["at"])}
    return (
        _(
            "Nucleic-acid tests: %(counted)d negative respiratory samples in a row at least "
            "%(hours)d h apart; %(needed)d are needed."
        )
        % v
    )


@transaction.atomic
def do_discharge(
    admission: Admission, *, acting_user, at: dt.datetime | None = None, request=None
) -> Admission:
    """Discharge the case at ``at`` when every criterion holds, else refuse
    naming each that fails. Tracing's case is discharged with it."""
    admission = (
        Admission.objects.select_for_update()
        .select_related("person", "area", "hospital", "ward")
        .get(pk=admission.pk)
    )
    require(acting_user, "edit_person", admission.area)
    if admission.discharged_at is not None:
        raise ValidationError(
            {"at": _("The case was discharged at %(at)s.") % {"at": local(admission.discharged_at)}}
        )
    at = when(at, "at", not_before=admission.admitted_at, what=_("the admission"))
    failures = failures_at(admission, at)
    if failures:
        raise ValidationError(
            {"at": [_("Discharge refused.")] + [failure_message(f) for f in failures]}
        )
    admission.discharged_at = at
    admission.discharged_by_name = actor_name(acting_user)
    admission.monitoring_until = at + dt.timedelta(days=rule(admission.protocol).monitoring_days)
    admission.save(update_fields=["discharged_at", "discharged_by_name", "monitoring_until"])
    # After the admission says so: the health code recomputed by tracing reads
    # the monitoring after discharge (``care.health_facts``).
    receivers.pass_on(
        HandoffKind.CASE_DISCHARGE,
        person=admission.person,
        discharged_at=at,
        source=f"care.admission:{admission.pk}",
        acting_user=acting_user,
        request=request,
    )
    audit_admission(
        "care.discharge",
        acting_user=acting_user,
        admission=admission,
        request=request,
        detail={
            "case": admission.case_id,
            "at": at.isoformat(),
            "hospital": admission.hospital.name,
            "monitoring_until": admission.monitoring_until.isoformat(),
        },
    )
    return admission
