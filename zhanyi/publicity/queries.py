"""Publicity's reads, each with its access check: reading needs
``view_person`` and a jurisdiction. Press conferences and notices of the
reader's area, of the areas within it and of those above it (the city's
notices are read by every county); media reports and opinion items of the
reader's area and within."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import has_capability
from zhanyi.core import jurisdiction
from zhanyi.places.models import Area

from . import sources
from .models import (
    MediaKind,
    MediaLevel,
    MediaReport,
    Notice,
    OpinionItem,
    PressConference,
)


def _reach(user) -> str:
    """The reader's area path ("" for everything); 403 without the capability or a jurisdiction."""
    path = jurisdiction.root_path(user)
    if not has_capability(user, "view_person") or path is None:
        raise PermissionDenied(_("Reading publicity needs a role that reads and a jurisdiction."))
    return path


def _within_or_above(queryset: QuerySet, path: str, field: str) -> QuerySet:
    if not path:
        return queryset
    above = [path[:i] for i in range(1, len(path) + 1)]
    return queryset.filter(Q(**{f"{field}__startswith": path}) | Q(**{f"{field}__in": above}))


def conferences_for(user) -> QuerySet[PressConference]:
    path = _reach(user)
    return _within_or_above(PressConference.objects.select_related("area"), path, "area__path")


def notices_for(user) -> QuerySet[Notice]:
    path = _reach(user)
    return _within_or_above(Notice.objects.select_related("area"), path, "area__path")


def get_notice_for_user(user, pk: int) -> Notice:
    try:
        return notices_for(user).get(pk=pk)
    except (Notice.DoesNotExist, ValueError, OverflowError):
        raise Http404(_("No such notice.")) from None


def media_for(user) -> QuerySet[MediaReport]:
    _reach(user)
    return jurisdiction.scope(MediaReport.objects.select_related("area"), user, "area__path")


def opinion_for(user) -> QuerySet[OpinionItem]:
    _reach(user)
    return jurisdiction.scope(OpinionItem.objects.select_related("area"), user, "area__path")


def get_opinion_for_user(user, pk: int) -> OpinionItem:
    try:
        return opinion_for(user).get(pk=pk)
    except (OpinionItem.DoesNotExist, ValueError, OverflowError):
        raise Http404(_("No such public-opinion item.")) from None


def drafts_for(user, *, limit: int = 50) -> list[sources.Draft]:
    """The decisions a notice may be drafted from, in the reader's area, that
    have no notice yet."""
    path = _reach(user)
    area = None if not path else Area.objects.filter(path=path).first()
    taken = set(Notice.objects.exclude(source_kind="").values_list("source_kind", "source_key"))
    return [d for d in sources.drafts(area, limit=limit) if (d.kind, d.key) not in taken]


@dataclass
class Tally:
    """Media reports counted by outlet and kind, and by level (the article's
    central, provincial and local)."""

    rows: list[dict]
    by_level: list[dict]
    by_kind: list[dict]
    total: int


def media_tally(user) -> Tally:
    return tally_of(media_for(user))


def tally_of(reports: QuerySet[MediaReport]) -> Tally:
    """The tally of ``reports`` (already cut to the reader)."""
    rows = [
        {
            "outlet": r["outlet"],
            "level": r["level"],
            "level_label": str(MediaLevel(r["level"]).label),
            "kind": r["kind"],
            "kind_label": str(MediaKind(r["kind"]).label),
            "reports": r["reports"],
        }
        for r in reports.values("outlet", "level", "kind")
        .annotate(reports=Sum("count"))
        .order_by("-reports", "outlet", "kind")
    ]
    levels: Counter = Counter()
    kinds: Counter = Counter()
    for row in rows:
        levels[row["level"]] += row["reports"]
        kinds[row["kind"]] += row["reports"]
    return Tally(
        rows=rows,
        by_level=[
            {"level": value, "label": str(label), "reports": levels[value]}
            for value, label in MediaLevel.choices
        ],
        by_kind=[
            {"kind": value, "label": str(label), "reports": kinds[value]}
            for value, label in MediaKind.choices
        ],
        total=sum(levels.values()),
    )
