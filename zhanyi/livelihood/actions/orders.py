"""Orders from sealed homes (封控区居民手机下单): the village team issues a
household its order link and short code; the resident orders on the phone
(no account); the store accepts, brings the goods to the sealed compound's
gate, the gate hands them to a volunteer, who carries them to the door. Every
step keeps its state, time and who; an address outside a sealed zone is refused."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import has_capability
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.audit import SystemActor
from zhanyi.core.jurisdiction import can_see_area
from zhanyi.core.lengths import too_long
from zhanyi.livelihood.models import (
    ORDER_KINDS,
    Facility,
    HomeLink,
    Order,
    OrderState,
    OrderStep,
)
from zhanyi.livelihood.rules import county_path, rules
from zhanyi.people.models import Household
from zhanyi.places.models import Area
from zhanyi.places.risk import AreaRisk, Tier, risk_of_area, risk_of_place, stronger

from .common import require

#: Short codes: no 0/O, 1/I/L, so a code read out on the phone is typed right.
CODE_LETTERS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
#: The longest order a resident may type.
ITEMS_MAX = 1000


def home_area(household: Household) -> Area:
    """Where the household lives: its grid if known, else its village."""
    return household.grid or household.village


def require_sealed(household: Household, now: dt.datetime, field: str = "household") -> AreaRisk:
    """Refuse a home outside a sealed zone (封控区) at ``now``, saying so: delivery
    to the door is for homes whose residents may not go out. A zone drawn over
    the home's compound counts as well as one over its area."""
    area = home_area(household)
    risk = stronger(risk_of_place(household.place_id, now), risk_of_area(area, now))
    if risk is not None and risk.tier == Tier.SEALED:
        return risk
    where = {"address": household.address, "area": area.name}
    if risk is None:
        message = (
            _(
                "%(address)s (%(area)s) is not in a sealed zone: orders carried to the door "
                "are for sealed homes only."
            )
            % where
        )
    else:
        message = _(
            "%(address)s (%(area)s) is in a %(tier)s (%(zone)s), not a sealed zone: orders "
            "carried to the door are for sealed homes only."
        ) % {**where, "tier": risk.label, "zone": risk.zone_name}
    raise ValidationError({field: message})


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))
        if not HomeLink.objects.filter(code=code).exists():
            return code


@transaction.atomic
def do_issue_home_link(
    household: Household,
    *,
    gate: str,
    acting_user,
    now: dt.datetime | None = None,
    request=None,
) -> HomeLink:
    """The household's order link and short code, valid ``[livelihood]
    order_link_days``; the one still valid is returned rather than a second."""
    area = home_area(household)
    require(acting_user, "edit_operations", area)
    now = now or timezone.now()
    gate = (gate or "").strip()
    if not gate:
        raise ValidationError({"gate": _("Name the gate of the sealed compound.")})
    if message := too_long(HomeLink, "gate", gate):
        raise ValidationError({"gate": message})
    zone = require_sealed(household, now)
    current = HomeLink.objects.filter(household=household, expires_at__gt=now).first()
    if current is not None:
        return current
    link = HomeLink.objects.create(
        household=household,
        area=area,
        gate=gate,
        token=secrets.token_urlsafe(32),
        code=_new_code(),
        created_at=now,
        expires_at=now + dt.timedelta(days=rules().order_link_days),
        created_by_name=actor_name(acting_user),
    )
    audit.record(
        actor=acting_user,
        action="livelihood.link.issue",
        obj=link,
        area=area,
        detail={"household": household.pk, "gate": gate, "zone": zone.zone_id},
        request=request,
    )
    return link


def resident(link: HomeLink) -> SystemActor:
    """Who an order is by in the audit trail: the household, by its link."""
    return SystemActor(f"home-order:{link.pk}")


def stores_for(link: HomeLink):
    """The stores a sealed home may order from: those of its county taking orders."""
    return (
        Facility.objects.filter(active=True, kind__in=ORDER_KINDS)
        .filter(area__path__startswith=county_path(link.area.path))
        .select_related("area")
        .order_by("kind", "name")
    )


@transaction.atomic
def do_place_order(
    link: HomeLink,
    *,
    facility: Facility,
    items: str,
    phone: str = "",
    now: dt.datetime | None = None,
    request=None,
) -> Order:
    """A resident's order through their link: refused once the link has expired,
    when the home is no longer in a sealed zone, from a store that takes no
    orders or lies outside the home's county, or with nothing ordered."""
    now = now or timezone.now()
    if now >= link.expires_at:
        raise ValidationError(
            {"items": _("This link has expired: ask your village for a new one.")}
        )
    household = link.household
    zone = require_sealed(household, now, "items")
    if not stores_for(link).filter(pk=facility.pk).exists():
        raise ValidationError(
            {
                "facility": _("%(store)s does not deliver to %(area)s.")
                % {"store": facility.name, "area": link.area.name}
            }
        )
    items = (items or "").strip()
    if not items:
        raise ValidationError({"items": _("Write what you need.")})
    if len(items) > ITEMS_MAX:
        raise ValidationError(
            {
                "items": _("The order has %(count)d characters; at most %(max)d are allowed.")
                % {"count": len(items), "max": ITEMS_MAX}
            }
        )
    order = Order.objects.create(
        link=link,
        household=household,
        area=link.area,
        facility=facility,
        items=items,
        phone=(phone or "").strip()[:32],
        placed_at=now,
        updated_at=now,
    )
    actor = resident(link)
    OrderStep.objects.create(order=order, state=OrderState.PLACED, at=now, by_name=actor.name)
    audit.record(
        actor=actor,
        action="livelihood.order.place",
        obj=order,
        area=link.area,
        detail={"facility": facility.pk, "household": household.pk, "zone": zone.zone_id},
        request=request,
    )
    return order


#: Which state each step comes from.
STEP_FROM: dict[str, str] = {
    OrderState.ACCEPTED: OrderState.PLACED,
    OrderState.DECLINED: OrderState.PLACED,
    OrderState.AT_GATE: OrderState.ACCEPTED,
    OrderState.CARRYING: OrderState.AT_GATE,
    OrderState.DELIVERED: OrderState.CARRYING,
}


def _step(order: Order, to: str, acting_user, now, note: str, request, **detail) -> Order:
    if order.state != STEP_FROM[to]:
        raise ValidationError(
            {
                "state": _("Order %(order)d is %(state)s: it cannot be marked %(next)s now.")
                % {
                    "order": order.pk,
                    "state": order.get_state_display(),
                    "next": OrderState(to).label,
                }
            }
        )
    now = now or timezone.now()
    order.state = to
    order.updated_at = now
    order.save(update_fields=["state", "updated_at", "volunteer"])
    OrderStep.objects.create(
        order=order, state=to, at=now, by_name=actor_name(acting_user), note=note[:255]
    )
    audit.record(
        actor=acting_user,
        action=f"livelihood.order.{to}",
        obj=order,
        area=order.area,
        detail={"state": to, **detail},
        request=request,
    )
    return order


@transaction.atomic
def do_accept_order(order: Order, *, acting_user, now=None, request=None) -> Order:
    """The store takes the order (接单)."""
    require(acting_user, "edit_operations", order.facility.area)
    return _step(order, OrderState.ACCEPTED, acting_user, now, "", request)


@transaction.atomic
def do_decline_order(order: Order, *, reason: str, acting_user, now=None, request=None) -> Order:
    """The store cannot fill the order; the reason is shown to the resident."""
    require(acting_user, "edit_operations", order.facility.area)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the order is declined.")})
    return _step(order, OrderState.DECLINED, acting_user, now, reason, request)


@transaction.atomic
def do_bring_to_gate(order: Order, *, acting_user, now=None, request=None) -> Order:
    """The store's goods at the sealed compound's gate (送到小区门口), recorded
    by the store or the gate."""
    if isinstance(acting_user, SystemActor) or not can_see_area(acting_user, order.area):
        require(acting_user, "edit_operations", order.facility.area)
    else:
        require(acting_user, "edit_operations", order.area)
    return _step(order, OrderState.AT_GATE, acting_user, now, order.link.gate, request)


def _check_volunteer(order: Order, volunteer) -> None:
    if (
        volunteer is None
        or not volunteer.is_active
        or not has_capability(volunteer, "edit_operations")
        or not can_see_area(volunteer, order.area)
    ):
        raise ValidationError(
            {
                "volunteer": _("%(name)s cannot carry orders in %(area)s.")
                % {"name": getattr(volunteer, "username", "—"), "area": order.area.name}
            }
        )


@transaction.atomic
def do_hand_to_volunteer(order: Order, *, volunteer, acting_user, now=None, request=None) -> Order:
    """The gate hands the goods to a volunteer, who carries them in; a volunteer
    may take one at the gate themselves."""
    require(acting_user, "edit_operations", order.area)
    _check_volunteer(order, volunteer)
    order.volunteer = volunteer
    return _step(
        order,
        OrderState.CARRYING,
        acting_user,
        now,
        volunteer.username,
        request,
        volunteer=volunteer.pk,
    )


@transaction.atomic
def do_deliver_order(order: Order, *, acting_user, now=None, request=None) -> Order:
    """Delivered at the door (送到家门口): by the volunteer carrying it, or
    recorded by the zone's staff."""
    require(acting_user, "edit_operations", order.area)
    return _step(order, OrderState.DELIVERED, acting_user, now, "", request)
