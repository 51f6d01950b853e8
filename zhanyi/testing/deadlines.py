"""Deadlines of the testing task force (核酸检测), for the supervision ledger:
a tube's result reported within 12 h of sampling in a routine round
(``testing.routine_result_hours``) and within 6 h for the key groups' tubes,
the single-tube re-sampling and the scheduled tests of contacts
(``testing.key_group_result_hours``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.core.deadlines import Item, deadline, window_start
from zhanyi.core.metrics import area_filter
from zhanyi.engine.protocol import load_protocol
from zhanyi.places.models import Area

from .models import Purpose, Tube


def _late_tubes(area: Area | None, now: dt.datetime, name: str, hours: int, purposes: Q):
    limit = dt.timedelta(hours=hours)
    tubes = (
        Tube.objects.filter(purposes, sampled_at__isnull=False, **area_filter(area, "area__path"))
        .filter(
            Q(reported_at=None, sampled_at__lt=now - limit)
            | Q(
                reported_at__gt=F("sampled_at") + limit,
                reported_at__gte=window_start(now),
                reported_at__lte=now,
            )
        )
        .select_related("area")
    )
    home = reverse("testing:home")
    return [
        Item(
            deadline=name,
            what=_("Result of tube %(barcode)s") % {"barcode": tube.barcode},
            whose=tube.barcode,
            area=tube.area,
            due_at=tube.sampled_at + limit,
            closed_at=tube.reported_at,
            link=reverse("testing:round", args=[tube.round_id]) if tube.round_id else home,
        )
        for tube in tubes
    ]


@deadline(
    "testing.routine_result",
    gettext_lazy("Result of a routine round's tube"),
    "testing.routine_result_hours",
    owner="testing",
)
def routine_results(area: Area | None, now: dt.datetime) -> list[Item]:
    hours = load_protocol().testing.routine_result_hours
    return _late_tubes(area, now, "testing.routine_result", hours, Q(purpose=Purpose.ROUND))


@deadline(
    "testing.key_group_result",
    gettext_lazy("Result of a key group's tube"),
    "testing.key_group_result_hours",
    owner="testing",
)
def key_group_results(area: Area | None, now: dt.datetime) -> list[Item]:
    hours = load_protocol().testing.key_group_result_hours
    return _late_tubes(area, now, "testing.key_group_result", hours, ~Q(purpose=Purpose.ROUND))
