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

from zhanyi.core.deadlines import Item, Rows, deadline, window_start
from zhanyi.core.metrics import area_filter
from zhanyi.engine.protocol import load_protocol
from zhanyi.places.models import Area

from .models import Purpose, Tube


def _limit(hours_key: str) -> dt.timedelta:
    return dt.timedelta(hours=getattr(load_protocol().testing, hours_key))


def _tube_rows(hours_key: str, purposes: Q) -> Rows:
    """The late tubes of one deadline as rows (open: sampled longer ago than
    the limit and not reported; closed: reported after it, lately)."""

    def sampled(now: dt.datetime):
        return Tube.objects.filter(purposes, sampled_at__isnull=False)

    def open_late(now: dt.datetime):
        return sampled(now).filter(reported_at=None, sampled_at__lt=now - _limit(hours_key))

    def closed_late(now: dt.datetime):
        return sampled(now).filter(
            reported_at__gt=F("sampled_at") + _limit(hours_key),
            reported_at__gte=window_start(now),
            reported_at__lte=now,
        )

    return Rows(
        open_late,
        closed_late,
        area="area",
        due=lambda: F("sampled_at") + _limit(hours_key),
        closed_at="reported_at",
    )


ROUTINE = _tube_rows("routine_result_hours", Q(purpose=Purpose.ROUND))
KEY_GROUP = _tube_rows("key_group_result_hours", ~Q(purpose=Purpose.ROUND))


def _late_tubes(area: Area | None, now: dt.datetime, name: str, rows: Rows, hours_key: str):
    limit = _limit(hours_key)
    tubes = (
        (rows.open(now) | rows.closed(now))
        .filter(**area_filter(area, "area__path"))
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
    rows=ROUTINE,
)
def routine_results(area: Area | None, now: dt.datetime) -> list[Item]:
    return _late_tubes(area, now, "testing.routine_result", ROUTINE, "routine_result_hours")


@deadline(
    "testing.key_group_result",
    gettext_lazy("Result of a key group's tube"),
    "testing.key_group_result_hours",
    owner="testing",
    rows=KEY_GROUP,
)
def key_group_results(area: Area | None, now: dt.datetime) -> list[Item]:
    return _late_tubes(area, now, "testing.key_group_result", KEY_GROUP, "key_group_result_hours")
