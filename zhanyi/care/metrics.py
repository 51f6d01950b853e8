"""Figures of hospital care (数出一门): one definition each. Each counts rows
within an area through their area (``metrics.tally``): one query per area for
a dashboard, one grouped query for all the report's areas."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import tally
from zhanyi.engine.protocol import LOCAL_TZ

from .models import Admission, Alert, Condition


def _in_hospital():
    return Admission.objects.filter(discharged_at=None)


@tally("care.in_hospital", _("Cases in hospital"), _("cases"), 170, "care:home", area="area")
def in_hospital():
    return _in_hospital()


def _by_condition(condition: str, label, order: int) -> None:
    @tally(f"care.{condition}", label, _("cases"), order, "care:home", area="area")
    def count():
        return _in_hospital().filter(condition=condition)


_by_condition(Condition.MILD, _("In hospital, mild"), 171)
_by_condition(Condition.MODERATE, _("In hospital, moderate"), 172)
_by_condition(Condition.SEVERE, _("In hospital, severe"), 173)
_by_condition(Condition.CRITICAL, _("In hospital, critical"), 174)


@tally(
    "care.severe_or_critical",
    _("Severe or critical cases in hospital"),
    _("cases"),
    175,
    "care:home",
    area="area",
)
def severe_or_critical():
    return _in_hospital().filter(condition__in=[Condition.SEVERE, Condition.CRITICAL])


def _today_start() -> dt.datetime:
    local = timezone.now().astimezone(LOCAL_TZ)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@tally("care.admitted_today", _("Cases admitted today"), _("cases"), 176, "care:home", area="area")
def admitted_today():
    return Admission.objects.filter(
        admitted_at__gte=_today_start(), admitted_at__lte=timezone.now()
    )


@tally("care.discharged", _("Cases discharged"), _("cases"), 177, "care:home", area="area")
def discharged():
    return Admission.objects.filter(discharged_at__isnull=False)


@tally(
    "care.monitoring",
    _("Under health monitoring after discharge"),
    _("people"),
    178,
    "care:home",
    area="area",
)
def monitoring():
    now = timezone.now()
    return Admission.objects.filter(discharged_at__lte=now, monitoring_until__gt=now).exclude(
        person__admissions__discharged_at__isnull=True  # in hospital again
    )


@tally(
    "care.alerts_open", _("Care alerts open"), _("alerts"), 179, "care:home", area="admission__area"
)
def alerts_open():
    return Alert.objects.filter(closed_at=None)
