"""Reads of the care app, each with its access check.

Hospitals carry no personal data: a user sees those of their jurisdiction and
those above it (the city's designated hospital takes a county's cases).
Admissions, their clinical record and the monitoring after discharge are
personal: scoped by the case's area, and a read of one patient's record is
audited (``care.admission.view``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhanyi.accounts.roles import has_capability
from zhanyi.core import jurisdiction
from zhanyi.engine.care import monitoring_day
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus

from .actions.common import audit_admission, rule
from .actions.discharge import failure_message, failures_at
from .models import Admission, Alert, Hospital, Ward

CRITERIA = ("temperature", "respiratory", "imaging", "tests")


def _user_of(request_or_user):
    return getattr(request_or_user, "user", request_or_user)


def require_view(user) -> None:
    if not has_capability(user, "view_person") or jurisdiction.root_path(user) is None:
        raise PermissionDenied("requires view_person and a jurisdiction")


def _ancestor_paths(path: str) -> list[str]:
    codes = [c for c in path.strip("/").split("/") if c]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def hospitals_for(user) -> QuerySet[Hospital]:
    """Hospitals in the user's jurisdiction or in an area above it."""
    require_view(user)
    qs = Hospital.objects.select_related("area")
    root = jurisdiction.root_path(user)
    if not root:
        return qs
    return qs.filter(Q(area__path__startswith=root) | Q(area__path__in=_ancestor_paths(root)))


def wards_for(user) -> QuerySet[Ward]:
    return (
        Ward.objects.filter(hospital__in=hospitals_for(user))
        .select_related("hospital")
        .annotate(taken=Count("admissions", filter=Q(admissions__discharged_at=None)))
        .order_by("hospital__name", "name")
    )


def admissions_for(user) -> QuerySet[Admission]:
    require_view(user)
    qs = Admission.objects.select_related("person", "area", "hospital", "ward")
    return jurisdiction.scope(qs, user, "area__path")


def get_admission_for_user(request_or_user, admission_id: int) -> Admission:
    """403 without the capability or a jurisdiction; 404 when missing or outside."""
    user = _user_of(request_or_user)
    try:
        return admissions_for(user).get(pk=admission_id)
    except (Admission.DoesNotExist, ValueError, TypeError):
        raise Http404("no such admission") from None


def record_view(request_or_user, admission: Admission, *, via: str = "web") -> None:
    """A read of a patient's record is audited, naming whose it was."""
    request = request_or_user if hasattr(request_or_user, "user") else None
    audit_admission(
        "care.admission.view",
        acting_user=_user_of(request_or_user),
        admission=admission,
        request=request,
        detail={"via": via, "person": admission.person_id},
    )


def alerts_for(user) -> QuerySet[Alert]:
    require_view(user)
    qs = Alert.objects.filter(closed_at=None).select_related(
        "admission__person", "admission__hospital", "admission__area"
    )
    return jurisdiction.scope(qs, user, "admission__area__path")


def get_alert_for_user(user, alert_id: int) -> Alert:
    try:
        return alerts_for(user).get(pk=alert_id)
    except (Alert.DoesNotExist, ValueError, TypeError):
        raise Http404("no such alert") from None


@dataclass
class Criterion:
    name: str
    ok: bool
    message: str


def criteria(admission: Admission, at: dt.datetime | None = None) -> list[Criterion]:
    """Each discharge criterion of the admission's protocol at ``at`` (now): holds, or why not."""
    at = at or timezone.now()
    failed = {f.criterion: failure_message(f) for f in failures_at(admission, at)}
    r = rule(admission.protocol)
    names = [
        c
        for c in CRITERIA
        if (c != "respiratory" or r.needs_respiratory_improved)
        and (c != "imaging" or r.needs_imaging_improved)
    ]
    return [Criterion(c, c not in failed, failed.get(c, "")) for c in names]


@dataclass
class MonitoringRow:
    admission: Admission
    day: int
    days: int
    checked_today: bool
    missed: list[int]


def monitoring_for(user, now: dt.datetime | None = None) -> list[MonitoringRow]:
    """Discharged cases still under monitoring, with the day they are on and
    the past days without a check-in."""
    now = now or timezone.now()
    rows = []
    qs = (
        admissions_for(user)
        .filter(discharged_at__lte=now, monitoring_until__gt=now)
        .exclude(person__admissions__discharged_at__isnull=True)  # in hospital again
    )
    for admission in qs.prefetch_related("check_ins").order_by("monitoring_until")[:500]:
        assert admission.discharged_at is not None
        today = monitoring_day(admission.discharged_at, now)
        done = {c.day for c in admission.check_ins.all()}
        rows.append(
            MonitoringRow(
                admission=admission,
                day=today,
                days=rule(admission.protocol).monitoring_days,
                checked_today=today in done,
                missed=[d for d in range(1, today) if d not in done],
            )
        )
    return rows


def referrals_for(user) -> QuerySet[Handoff]:
    """People referred to the designated hospital (a fever clinic's ``admission``
    hand-off) and not admitted yet, in the user's jurisdiction, earliest due first."""
    require_view(user)
    qs = Handoff.objects.filter(kind=HandoffKind.ADMISSION, status=HandoffStatus.OPEN)
    return (
        jurisdiction.scope(qs, user, "area__path")
        .select_related("person", "area")
        .order_by("due_at", "id")
    )
