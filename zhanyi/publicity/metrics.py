"""Publicity's figures (数出一门): notices published, media reports, open
opinion items, press conferences held."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import area_filter, figure
from zhanyi.places.models import Area

from .models import MediaReport, Notice, NoticeState, OpinionItem, OpinionState, PressConference


@figure(
    "publicity.press_conferences",
    _("Press conferences held"),
    _("conferences"),
    order=600,
    link="publicity:home",
)
def press_conferences(area: Area | None) -> int:
    return PressConference.objects.filter(**area_filter(area, "area__path")).count()


@figure(
    "publicity.notices_published",
    _("Public notices published"),
    _("notices"),
    order=610,
    link="publicity:notices",
)
def notices_published(area: Area | None) -> int:
    return Notice.objects.filter(
        state=NoticeState.PUBLISHED, **area_filter(area, "area__path")
    ).count()


@figure(
    "publicity.media_reports",
    _("Media reports"),
    _("articles"),
    order=620,
    link="publicity:media",
)
def media_reports(area: Area | None) -> int:
    total = MediaReport.objects.filter(**area_filter(area, "area__path")).aggregate(n=Sum("count"))[
        "n"
    ]
    return int(total or 0)


@figure(
    "publicity.opinion_open",
    _("Public-opinion items open"),
    _("items"),
    order=630,
    link="publicity:opinion",
)
def opinion_open(area: Area | None) -> int:
    return (
        OpinionItem.objects.filter(**area_filter(area, "area__path"))
        .exclude(state=OpinionState.RESOLVED)
        .count()
    )
