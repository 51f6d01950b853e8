"""Figures of the supplies work (数出一门): one definition each."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import area_filter, figure
from zhanyi.places.models import Area

from .models import CoverAlert, Holder, RequestState, Stock, SupplyRequest
from .queries import forecast_for


@figure("supplies.holders", _("Supply holders"), _("holders"), order=110, link="supplies:home")
def holders(area: Area | None) -> int:
    return Holder.objects.filter(**area_filter(area, "area__path")).count()


@figure(
    "supplies.below_target",
    _("Stocks below their days of cover"),
    _("stocks"),
    order=111,
    link="supplies:home",
)
def below_target(area: Area | None) -> int:
    """Open cover alerts: a hospital under 30 days, the CDC under 10 (the protocol's)."""
    return CoverAlert.objects.filter(
        cleared_at__isnull=True, **area_filter(area, "holder__area__path")
    ).count()


@figure("supplies.masks", _("Masks in stock"), _("pieces"), order=112)
def masks(area: Area | None) -> int:
    total = Stock.objects.filter(item__code="masks", **area_filter(area, "holder__area__path"))
    return int(total.aggregate(q=Sum("quantity"))["q"] or 0)


@figure("supplies.requests_pending", _("Supply requests waiting"), _("requests"), order=113)
def requests_pending(area: Area | None) -> int:
    return SupplyRequest.objects.filter(
        state=RequestState.PENDING, **area_filter(area, "requester__area__path")
    ).count()


@figure("supplies.shortfalls", _("Items short within the forecast"), _("items"), order=114)
def shortfalls(area: Area | None) -> int:
    """Items whose stock runs out within the protocol's horizon at the planned use."""
    _inputs, result = forecast_for(area)
    return sum(1 for f in result if f.shortfall)
