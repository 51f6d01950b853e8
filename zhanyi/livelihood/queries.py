"""Reads of the livelihood app, each with its access check: the supply network,
price checks, orders (by the jurisdiction of the home's area), the volunteer's
deliveries and the care lists."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhanyi.accounts.roles import has_capability
from zhanyi.core import jurisdiction
from zhanyi.livelihood.models import (
    Care,
    Facility,
    FacilityKind,
    Good,
    Order,
    OrderState,
    PriceCheck,
)


def require_view(user) -> None:
    if not has_capability(user, "view_person") or jurisdiction.root_path(user) is None:
        raise PermissionDenied("requires view_person and a jurisdiction")


def facilities_for(user) -> QuerySet[Facility]:
    require_view(user)
    return jurisdiction.scope(Facility.objects.select_related("area"), user, "area__path")


def get_facility_for_user(user, facility_id: int) -> Facility:
    """A facility in the user's jurisdiction: 403 without the right, 404 outside it."""
    try:
        return facilities_for(user).get(pk=facility_id)
    except Facility.DoesNotExist:
        raise Http404("no such facility") from None


def facility_counts(user) -> list[dict]:
    """Active facilities of each kind in the jurisdiction, every kind shown."""
    counts = dict(
        facilities_for(user)
        .filter(active=True)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return [{"kind": k.label, "count": counts.get(k.value, 0)} for k in FacilityKind]


def goods() -> QuerySet[Good]:
    return Good.objects.all()


def price_checks_for(user) -> QuerySet[PriceCheck]:
    require_view(user)
    return jurisdiction.scope(
        PriceCheck.objects.select_related("facility__area", "good"), user, "facility__area__path"
    )


def orders_for(user) -> QuerySet[Order]:
    """Orders from homes in the user's jurisdiction."""
    require_view(user)
    qs = Order.objects.select_related("area", "facility", "household", "link", "volunteer")
    return jurisdiction.scope(qs, user, "area__path")


def get_order_for_user(user, order_id: int) -> Order:
    try:
        return orders_for(user).get(pk=order_id)
    except Order.DoesNotExist:
        raise Http404("no such order") from None


def deliveries_for(user) -> QuerySet[Order]:
    """A volunteer's work: orders they carry, and those waiting at a gate of
    their jurisdiction for someone to carry them."""
    return (
        orders_for(user)
        .filter(Q(state=OrderState.CARRYING, volunteer=user) | Q(state=OrderState.AT_GATE))
        .order_by("placed_at", "id")
    )


def care_for(user) -> QuerySet[Care]:
    """Open care of the jurisdiction, the most overdue follow-up first."""
    require_view(user)
    qs = Care.objects.select_related("person", "area").filter(closed_at__isnull=True)
    return jurisdiction.scope(qs, user, "area__path").order_by("next_follow_up_at", "id")


def get_care_for_user(user, care_id: int) -> Care:
    require_view(user)
    qs = Care.objects.select_related("person", "area")
    try:
        return jurisdiction.scope(qs, user, "area__path").get(pk=care_id)
    except Care.DoesNotExist:
        raise Http404("no such care") from None


def overdue(care: Care) -> bool:
    return care.next_follow_up_at < timezone.now()
