"""Home quarantine and home health monitoring (居家隔离 / 居家健康监测): starting
it with its self-report link and short code, the person's reports (no
account), the village team's visits, and the work a fever or a missed report
makes for the village team (a ``control`` hand-off)."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.core import audit
from zhanyi.core.audit import SystemActor
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
from zhanyi.handoffs.models import HandoffKind
from zhanyi.people.models import Person
from zhanyi.places.models import Area
from zhanyi.quarantine.models import Monitoring, MonitoringKind, Placement, SelfReport

from .common import protocol, require

#: Short codes: no 0/O, 1/I/L, so a code read out on the phone is typed right.
CODE_LETTERS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))
        if not Monitoring.objects.filter(code=code).exists():
            return code


@transaction.atomic
def do_start_monitoring(
    person: Person,
    *,
    area: Area,
    kind: str,
    starts_at: dt.datetime,
    days: int,
    placement: Placement | None = None,
    acting_user,
    request=None,
) -> Monitoring:
    """Home quarantine or home health monitoring for ``days`` from ``starts_at``,
    with a self-report link and short code that expire when it ends."""
    require(acting_user, "edit_operations", area)
    if kind not in MonitoringKind.values or days < 1:
        raise ValidationError({"kind": _("Home monitoring needs a kind and at least one day.")})
    monitoring = Monitoring.objects.create(
        person=person,
        area=area,
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(days=days),
        placement=placement,
        token=secrets.token_urlsafe(32),
        code=_new_code(),
    )
    audit.record(
        actor=acting_user,
        action="quarantine.monitoring.start",
        obj=monitoring,
        area=area,
        detail={"person": person.pk, "kind": kind, "days": days},
        request=request,
    )
    return monitoring


def self_reporter(monitoring: Monitoring) -> SystemActor:
    """Who a self-report is by in the audit trail: the monitored person, by link."""
    return SystemActor(f"self-report:{monitoring.pk}")


def _village_task(
    monitoring: Monitoring, reason: str, key: str, now: dt.datetime, acting_user
) -> None:
    rules = protocol()
    do_create_handoffs(
        [
            HandoffSpec(
                key=key,
                kind=HandoffKind.CONTROL,
                person_id=monitoring.person_id,
                area_id=monitoring.area_id,
                from_task_force=TaskForceKind.QUARANTINE,
                to_task_force=TaskForceKind.COMMUNITY,
                origin=f"quarantine.monitoring:{monitoring.pk}",
                due_at=now + dt.timedelta(hours=rules.deadlines.control_hours),
                detail={"measure": monitoring.kind, "reason": reason},
            )
        ],
        acting_user=acting_user,
        origin_label=f"quarantine: home monitoring, {reason}",
    )


@transaction.atomic
def do_self_report(
    monitoring: Monitoring,
    *,
    temperature: Decimal,
    symptoms: str = "",
    now: dt.datetime | None = None,
    by_visit: bool = False,
    acting_user=None,
    request=None,
) -> SelfReport:
    """A report of temperature and symptoms, by the person (through the link,
    no account: ``acting_user`` None) or on a village team's visit. Refused
    once the monitoring has ended. A fever makes a task for the village team."""
    now = now or timezone.now()
    if acting_user is None:
        acting_user = self_reporter(monitoring)
    else:
        require(acting_user, "edit_operations", monitoring.area)
    if now >= monitoring.ends_at:
        raise ValidationError({"token": _("This link has expired: the monitoring ended.")})
    if now < monitoring.starts_at:
        raise ValidationError({"token": _("The monitoring has not started yet.")})
    temperature = Decimal(str(temperature)).quantize(Decimal("0.1"))
    if not Decimal("34") <= temperature <= Decimal("43"):
        raise ValidationError(
            {"temperature": _("%(t)s °C is not a body temperature.") % {"t": temperature}}
        )
    report = SelfReport.objects.create(
        monitoring=monitoring,
        reported_at=now,
        temperature=temperature,
        symptoms=symptoms.strip()[:255],
        by_visit=by_visit,
    )
    fever = temperature >= Decimal(str(protocol().quarantine_sites.fever_celsius))
    if fever or report.symptoms:
        stamp = now.astimezone(LOCAL_TZ).strftime("%Y%m%d%H")
        _village_task(
            monitoring,
            "fever" if fever else "symptoms",
            f"quarantine.monitoring:{monitoring.pk}:unwell:{stamp}",
            now,
            acting_user,
        )
    audit.record(
        actor=acting_user,
        action="quarantine.monitoring.report",
        obj=monitoring,
        area=monitoring.area,
        detail={"temperature": str(temperature), "fever": fever, "by_visit": by_visit},
        request=request,
    )
    return report


def report_interval() -> dt.timedelta:
    """Reports are due this often (the protocol's checks per day)."""
    return dt.timedelta(hours=24 / protocol().quarantine_sites.checks_per_day)


@transaction.atomic
def do_flag_missed_reports(*, acting_user, now: dt.datetime | None = None) -> int:
    """A task for the village team for each person under home monitoring whose
    last report (or start) is older than the report interval; one per interval."""
    now = now or timezone.now()
    interval = report_interval()
    flagged = 0
    for m in Monitoring.objects.filter(starts_at__lte=now - interval, ends_at__gt=now):
        last = m.reports.order_by("-reported_at").values_list("reported_at", flat=True).first()
        if (last or m.starts_at) > now - interval:
            continue
        slot = int((now - m.starts_at) / interval)
        _village_task(
            m, "missed_report", f"quarantine.monitoring:{m.pk}:missed:{slot}", now, acting_user
        )
        flagged += 1
    return flagged
