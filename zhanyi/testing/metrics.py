"""Figures of the testing task force (数出一门): one definition each."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import area_filter, figure
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area
from zhanyi.testing.models import RoundTarget, Sample, TestingRound, Tube, TubeStatus


def _today_start() -> dt.datetime:
    local = timezone.now().astimezone(LOCAL_TZ)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@figure("testing.samples_today", _("Samples taken today"), _("people"), order=60)
def samples_today(area: Area | None) -> int:
    return Sample.objects.filter(
        sampled_at__gte=_today_start(), **area_filter(area, "tube__area__path")
    ).count()


@figure("testing.tubes_pending", _("Tubes awaiting a result"), _("tubes"), order=61)
def tubes_pending(area: Area | None) -> int:
    return (
        Tube.objects.filter(**area_filter(area, "area__path"))
        .exclude(status__in=[TubeStatus.OPEN, TubeStatus.REPORTED])
        .count()
    )


@figure("testing.positive_tubes", _("Positive tubes"), _("tubes"), order=62)
def positive_tubes(area: Area | None) -> int:
    return Tube.objects.filter(result="positive", **area_filter(area, "area__path")).count()


@figure("testing.coverage", _("Coverage of open rounds"), "%", order=63)
def coverage(area: Area | None) -> float:
    """Tested share of the targets (not exempt) of the rounds open now."""
    now = timezone.now()
    open_rounds = TestingRound.objects.filter(starts_at__lte=now, ends_at__gt=now)
    targets = RoundTarget.objects.filter(
        round__in=open_rounds, exempt=False, **area_filter(area, "village__path")
    )
    need = targets.count()
    if not need:
        return 0.0
    tested = Sample.objects.filter(
        Q(tube__result="negative") | Q(tube__result="positive"),
        round__in=open_rounds,
        purpose="round",
        person_id__in=targets.values("person_id"),
    ).count()
    return round(100 * tested / need, 1)
