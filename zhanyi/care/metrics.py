"""Figures of hospital care (数出一门): one definition each."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import area_filter, figure
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area

from .models import Admission, Alert, Condition


def _in_hospital(area: Area | None):
    return Admission.objects.filter(discharged_at=None, **area_filter(area, "area__path"))


@figure("care.in_hospital", _("Cases in hospital"), _("cases"), order=170, link="care:home")
def in_hospital(area: Area | None) -> int:
    return _in_hospital(area).count()


def _by_condition(condition: str, label, order: int) -> None:
    @figure(f"care.{condition}", label, _("cases"), order=order, link="care:home")
    def count(area: Area | None) -> int:
        return _in_hospital(area).filter(condition=condition).count()


_by_condition(Condition.MILD, _("In hospital, mild"), 171)
_by_condition(Condition.MODERATE, _("In hospital, moderate"), 172)
_by_condition(Condition.SEVERE, _("In hospital, severe"), 173)
_by_condition(Condition.CRITICAL, _("In hospital, critical"), 174)


@figure(
    "care.severe_or_critical",
    _("Severe or critical cases in hospital"),
    _("cases"),
    order=175,
    link="care:home",
)
def severe_or_critical(area: Area | None) -> int:
    return _in_hospital(area).filter(condition__in=[Condition.SEVERE, Condition.CRITICAL]).count()


def _today_start() -> dt.datetime:
    local = timezone.now().astimezone(LOCAL_TZ)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@figure("care.admitted_today", _("Cases admitted today"), _("cases"), order=176, link="care:home")
def admitted_today(area: Area | None) -> int:
    return Admission.objects.filter(
        admitted_at__gte=_today_start(),
        admitted_at__lte=timezone.now(),
        **area_filter(area, "area__path"),
    ).count()


@figure("care.discharged", _("Cases discharged"), _("cases"), order=177, link="care:home")
def discharged(area: Area | None) -> int:
    return Admission.objects.filter(
        discharged_at__isnull=False, **area_filter(area, "area__path")
    ).count()


@figure(
    "care.monitoring",
    _("Under health monitoring after discharge"),
    _("people"),
    order=178,
    link="care:home",
)
def monitoring(area: Area | None) -> int:
    now = timezone.now()
    return (
        Admission.objects.filter(
            discharged_at__lte=now, monitoring_until__gt=now, **area_filter(area, "area__path")
        )
        .exclude(person__admissions__discharged_at__isnull=True)  # in hospital again
        .count()
    )


@figure("care.alerts_open", _("Care alerts open"), _("alerts"), order=179, link="care:home")
def alerts_open(area: Area | None) -> int:
    return Alert.objects.filter(
        closed_at=None, **area_filter(area, "admission__area__path")
    ).count()
