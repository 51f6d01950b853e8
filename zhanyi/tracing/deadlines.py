"""Deadlines of the tracing task force (流调), for the supervision ledger:
a positive result reported as a case within 2 h, its investigation done
within 24 h (``[deadlines]`` of the protocol)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.core.deadlines import Item, deadline, window_start
from zhanyi.core.masking import mask_name
from zhanyi.core.metrics import area_filter
from zhanyi.places.models import Area

from .models import Case


def _cases(area: Area | None):
    return Case.objects.filter(**area_filter(area, "area__path")).select_related("person", "area")


@deadline(
    "tracing.case_report",
    gettext_lazy("Case report"),
    "deadlines.case_report_hours",
    owner="investigation",
)
def case_reports(area: Area | None, now: dt.datetime) -> list[Item]:
    """Cases reported upward after their deadline (a case exists only once
    reported, so these are the late ones of the window)."""
    late = _cases(area).filter(
        filed_at__gt=F("report_due_at"), filed_at__gte=window_start(now), filed_at__lte=now
    )
    return [
        Item(
            deadline="tracing.case_report",
            what=_("Report of case #%(id)s") % {"id": case.pk},
            whose=mask_name(case.person.name),
            area=case.area,
            due_at=case.report_due_at,
            closed_at=case.filed_at,
            link=reverse("tracing:case", args=[case.pk]),
        )
        for case in late
    ]


@deadline(
    "tracing.investigation",
    gettext_lazy("Case investigation"),
    "deadlines.investigation_hours",
    owner="investigation",
)
def investigations(area: Area | None, now: dt.datetime) -> list[Item]:
    """Investigations not done by their deadline, and those done late lately."""
    late = _cases(area).filter(
        Q(investigated_at=None, investigation_due_at__lt=now)
        | Q(
            investigated_at__gt=F("investigation_due_at"),
            investigated_at__gte=window_start(now),
            investigated_at__lte=now,
        )
    )
    return [
        Item(
            deadline="tracing.investigation",
            what=_("Investigation of case #%(id)s") % {"id": case.pk},
            whose=mask_name(case.person.name),
            area=case.area,
            due_at=case.investigation_due_at,
            closed_at=case.investigated_at,
            link=reverse("tracing:case", args=[case.pk]),
        )
        for case in late
    ]
