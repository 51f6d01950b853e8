"""Publicity's figures (数出一门): notices published, media reports, open
opinion items, press conferences held."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import tally

from .models import MediaReport, Notice, NoticeState, OpinionItem, OpinionState, PressConference


@tally(
    "publicity.press_conferences",
    _("Press conferences held"),
    _("conferences"),
    order=600,
    link="publicity:home",
    area="area",
)
def press_conferences():
    return PressConference.objects.all()


@tally(
    "publicity.notices_published",
    _("Public notices published"),
    _("notices"),
    order=610,
    link="publicity:notices",
    area="area",
)
def notices_published():
    return Notice.objects.filter(state=NoticeState.PUBLISHED)


@tally(
    "publicity.media_reports",
    _("Media reports"),
    _("articles"),
    order=620,
    link="publicity:media",
    area="area",
    total=lambda: Sum("count"),
)
def media_reports():
    return MediaReport.objects.all()


@tally(
    "publicity.opinion_open",
    _("Public-opinion items open"),
    _("items"),
    order=630,
    link="publicity:opinion",
    area="area",
)
def opinion_open():
    return OpinionItem.objects.exclude(state=OpinionState.RESOLVED)
