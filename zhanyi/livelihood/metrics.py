"""Figures of supply assurance (保供, 数出一门): one definition each."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import aggregate_in, area_filter, figure, for_areas, tally
from zhanyi.livelihood.models import (
    OPEN_STATES,
    Care,
    Facility,
    FacilityKind,
    Order,
    OrderState,
    PriceCheck,
)
from zhanyi.places.models import Area


def _facility_figure(name: str, label, unit, order: int, kind: str, link: str = "") -> None:
    @tally(name, label, unit, order=order, link=link, area="area")
    def count():
        return Facility.objects.filter(active=True, kind=kind)


_facility_figure(
    "livelihood.affordable_stores",
    _("Affordable stores open"),
    _("stores"),
    120,
    FacilityKind.AFFORDABLE_STORE,
    link="livelihood:home",
)
_facility_figure(
    "livelihood.processing_centres",
    _("Emergency processing centres"),
    _("centres"),
    121,
    FacilityKind.PROCESSING,
)
_facility_figure(
    "livelihood.storage_centres",
    _("Emergency storage centres"),
    _("centres"),
    122,
    FacilityKind.STORAGE,
)
_facility_figure(
    "livelihood.distribution_centres",
    _("Emergency distribution centres"),
    _("centres"),
    123,
    FacilityKind.DISTRIBUTION,
)
_facility_figure(
    "livelihood.outlets", _("Emergency supply outlets"), _("outlets"), 124, FacilityKind.OUTLET
)


@tally(
    "livelihood.price_flags",
    _("Prices over the tolerance (last 7 days)"),
    _("checks"),
    order=125,
    link="livelihood:home",
    area="facility__area",
)
def price_flags():
    since = timezone.now() - timezone.timedelta(days=7)
    return PriceCheck.objects.filter(flagged=True, checked_at__gte=since)


@tally(
    "livelihood.orders_open",
    _("Sealed homes' orders on the way"),
    _("orders"),
    order=126,
    link="livelihood:orders",
    area="area",
)
def orders_open():
    return Order.objects.filter(state__in=OPEN_STATES)


@tally(
    "livelihood.orders_delivered",
    _("Orders delivered to the door"),
    _("orders"),
    order=127,
    area="area",
)
def orders_delivered():
    return Order.objects.filter(state=OrderState.DELIVERED)


@figure("livelihood.delivery_hours", _("Average hours from order to door"), _("hours"), order=128)
def delivery_hours(area: Area | None) -> float:
    delivered = Order.objects.filter(
        state=OrderState.DELIVERED, **area_filter(area, "area__path")
    ).values_list("placed_at", "updated_at")
    spans = [(done - placed).total_seconds() / 3600 for placed, done in delivered]
    return round(sum(spans) / len(spans), 1) if spans else 0.0


@figure("livelihood.care_open", _("People on the special-care lists"), _("people"), order=129)
def care_open(area: Area | None) -> int:
    return (
        Care.objects.filter(closed_at__isnull=True, **area_filter(area, "area__path"))
        .values("person_id")
        .distinct()
        .count()
    )


@for_areas("livelihood.care_open")
def care_open_in(areas) -> list[int]:
    return _people_in(Care.objects.filter(closed_at__isnull=True), areas)


@figure(
    "livelihood.care_overdue",
    _("Special care past its follow-up"),
    _("people"),
    order=130,
    link="livelihood:care",
)
def care_overdue(area: Area | None) -> int:
    return (
        Care.objects.filter(
            closed_at__isnull=True,
            next_follow_up_at__lt=timezone.now(),
            **area_filter(area, "area__path"),
        )
        .values("person_id")
        .distinct()
        .count()
    )


@for_areas("livelihood.care_overdue")
def care_overdue_in(areas) -> list[int]:
    rows = Care.objects.filter(closed_at__isnull=True, next_follow_up_at__lt=timezone.now())
    return _people_in(rows, areas)


def _people_in(care, areas) -> list[int]:
    """The distinct persons of ``care`` in each of ``areas`` (``metrics.aggregate_in``)."""
    counts = aggregate_in(care, "area", areas, n=Count("person_id", distinct=True))
    return [c["n"] for c in counts]
