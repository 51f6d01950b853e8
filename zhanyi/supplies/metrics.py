"""Figures of the supplies work (数出一门): one definition each."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import figure, for_areas, tally
from zhanyi.places.models import Area

from .models import CoverAlert, Holder, RequestState, Stock, SupplyRequest
from .queries import forecast_for, forecasts


@tally(
    "supplies.holders",
    _("Supply holders"),
    _("holders"),
    order=110,
    link="supplies:home",
    area="area",
)
def holders():
    return Holder.objects.all()


@tally(
    "supplies.below_target",
    _("Stocks below their days of cover"),
    _("stocks"),
    order=111,
    link="supplies:home",
    area="holder__area",
)
def below_target():
    """Open cover alerts: a hospital under 30 days, the CDC under 10 (the protocol's)."""
    return CoverAlert.objects.filter(cleared_at__isnull=True)


@tally(
    "supplies.masks",
    _("Masks in stock"),
    _("pieces"),
    order=112,
    area="holder__area",
    total=lambda: Sum("quantity"),
)
def masks():
    return Stock.objects.filter(item__code="masks")


@tally(
    "supplies.requests_pending",
    _("Supply requests waiting"),
    _("requests"),
    order=113,
    area="requester__area",
)
def requests_pending():
    return SupplyRequest.objects.filter(state=RequestState.PENDING)


@figure("supplies.shortfalls", _("Items short within the forecast"), _("items"), order=114)
def shortfalls(area: Area | None) -> int:
    """Items whose stock runs out within the protocol's horizon at the planned use."""
    _inputs, result = forecast_for(area)
    return sum(1 for f in result if f.shortfall)


@for_areas("supplies.shortfalls")
def shortfalls_in(areas) -> list[int]:
    """``shortfalls`` for each of ``areas``, the plan's two figures computed
    for all of them at once (the planned tubes read every round's targets)."""
    return [sum(1 for f in result if f.shortfall) for _inputs, result in forecasts(areas)]
