"""Reads of the supplies app, each with its access check: holders, their stock
with days of cover, movements, requests and alerts of the user's jurisdiction,
and the shortfall forecast of an area."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from zhanyi.accounts.roles import has_capability
from zhanyi.core import figure_cache, jurisdiction, metrics
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.engine.supplies import DayPlan, ItemForecast, days_of_cover, forecast
from zhanyi.places.models import Area, AreaLevel

from .actions.cover import rules, target_days
from .models import CoverAlert, Holder, HolderKind, Item, Movement, Stock, SupplyRequest

#: Holders whose use the plan gives (tubes, people in quarantine): their own
#: recorded peak use is left out of the forecast so it is not counted twice.
PLANNED_KINDS = (HolderKind.TESTING_SITE, HolderKind.QUARANTINE_SITE)


def require_view(user) -> None:
    if not has_capability(user, "view_person") or jurisdiction.root_path(user) is None:
        raise PermissionDenied("requires view_person and a jurisdiction")


def holders_for(user) -> QuerySet[Holder]:
    require_view(user)
    return jurisdiction.scope(Holder.objects.select_related("area"), user, "area__path")


def movements_for(user) -> QuerySet[Movement]:
    require_view(user)
    qs = Movement.objects.select_related("holder", "item", "counterpart")
    return jurisdiction.scope(qs, user, "holder__area__path")


def requests_for(user) -> QuerySet[SupplyRequest]:
    require_view(user)
    qs = SupplyRequest.objects.select_related("requester__area", "item", "supplier")
    return jurisdiction.scope(qs, user, "requester__area__path")


def get_request_for_user(user, request_id: int) -> SupplyRequest:
    try:
        return requests_for(user).get(pk=request_id)
    except SupplyRequest.DoesNotExist:
        raise Http404("no such request") from None


def alerts_for(user) -> QuerySet[CoverAlert]:
    require_view(user)
    qs = CoverAlert.objects.filter(cleared_at__isnull=True).select_related("holder", "item")
    return jurisdiction.scope(qs, user, "holder__area__path")


@dataclass
class CoverRow:
    holder: Holder
    target: int | None
    #: One per item: (item, on hand, peak daily use, days of cover or None, below target)
    cells: list[tuple[Item, int, int, float | None, bool]]


def cover_table(user) -> tuple[list[Item], list[CoverRow]]:
    """Days of cover per holder and item of the user's jurisdiction."""
    items = list(Item.objects.all())
    holders = list(holders_for(user)[:500])
    stocks = {(s.holder_id, s.item_id): s for s in Stock.objects.filter(holder__in=holders)}
    rows = []
    for holder in holders:
        target = target_days(holder.kind)
        cells = []
        for item in items:
            s = stocks.get((holder.pk, item.pk))
            quantity, peak = (s.quantity, s.peak_daily_use) if s else (0, 0)
            cover = days_of_cover(quantity, peak)
            below = target is not None and cover is not None and cover < target
            cells.append((item, quantity, peak, cover, below))
        rows.append(CoverRow(holder, target, cells))
    return items, rows


def _figure(name: str, area: Area | None) -> int:
    return int(metrics.compute([name], area)[0]["value"])


def forecast_for(
    area: Area | None,
    *,
    start: dt.date | None = None,
    tubes: int | None = None,
    quarantined: int | None = None,
) -> tuple[dict, list[ItemForecast]]:
    """The shortfall forecast of an area's stock over the protocol's horizon.
    The plan: the testing rounds' planned tubes (``testing.tubes_planned``) and
    the people in quarantine sites (``quarantine.in_quarantine``), from the
    figures registry (or given, when the caller computed them for many areas
    at once), held for each day of the horizon."""
    rule = rules()
    start = start or timezone.now().astimezone(LOCAL_TZ).date()
    if tubes is None:
        tubes = _figure("testing.tubes_planned", area)
    if quarantined is None:
        quarantined = _figure("quarantine.in_quarantine", area)
    plan = [
        DayPlan(start + dt.timedelta(days=i), tubes, quarantined) for i in range(rule.forecast_days)
    ]
    stocks = Stock.objects.filter(**metrics.area_filter(area, "holder__area__path"))
    on_hand = {
        row["item__code"]: int(row["q"] or 0)
        for row in stocks.values("item__code").annotate(q=Sum("quantity"))
    }
    baseline = {
        row["item__code"]: float(row["u"] or 0)
        for row in stocks.exclude(holder__kind__in=PLANNED_KINDS)
        .values("item__code")
        .annotate(u=Sum("peak_daily_use"))
    }
    known = set(Item.objects.values_list("code", flat=True))
    per_tube = {k: v for k, v in rule.per_1000_tubes.items() if k in known}
    per_person = {k: v for k, v in rule.per_quarantined_person_day.items() if k in known}
    result = forecast(on_hand, baseline, plan, per_tube, per_person)
    inputs = {"tubes_per_day": tubes, "quarantined": quarantined, "days": rule.forecast_days}
    return inputs, result


def forecasts(areas: Sequence[Area | None]) -> list[tuple[dict, list[ItemForecast]]]:
    """``forecast_for`` each of ``areas``, the plan's two figures computed for
    all of them at once (the planned tubes read every round's targets once:
    at a city's whole-population round, 5 million targets)."""
    with figure_cache.computing_together():
        tubes = metrics.get("testing.tubes_planned").values_in(areas)
        quarantined = metrics.get("quarantine.in_quarantine").values_in(areas)
    return [
        forecast_for(area, tubes=int(t), quarantined=int(q))
        for area, t, q in zip(areas, tubes, quarantined, strict=True)
    ]


def forecast_areas(user) -> list[Area]:
    """The areas a desk forecasts: the counties of the user's jurisdiction, or their own area."""
    root = metrics.area_for(user)
    if root is None:
        return []
    if root.level == AreaLevel.CITY:
        return list(Area.objects.filter(parent=root, level=AreaLevel.COUNTY).order_by("code"))
    return [root]
