"""Staple goods' reference prices (参考价) and the price checks (价格巡查) of the
stores: a price further from the reference than the protocol's tolerance is flagged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import require_capability
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.audit import SystemActor
from zhanyi.core.jurisdiction import root_path
from zhanyi.livelihood.models import Facility, Good, PriceCheck
from zhanyi.livelihood.rules import rules

from .common import require


def _price(value, field: str) -> Decimal:
    try:
        price = Decimal(str(value).strip().replace("¥", "").replace("元", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("%(value)s is not a price.") % {"value": value}}) from None
    if not price.is_finite() or price <= 0 or price >= Decimal("1000000"):
        raise ValidationError(
            {
                field: _("A price is more than 0 and less than 1,000,000 yuan: not %(value)s.")
                % {"value": value}
            }
        )
    return price.quantize(Decimal("0.01"))


@transaction.atomic
def do_set_reference_price(
    *, name: str, unit: str, price, acting_user, now: dt.datetime | None = None, request=None
) -> Good:
    """A staple good's reference price, set by headquarters (``approve``; the city's)."""
    _require_city_wide(acting_user)
    name, unit = (name or "").strip(), (unit or "").strip()
    if not name or not unit:
        raise ValidationError({"name": _("A staple good needs a name and a unit.")})
    value = _price(price, "price")
    now = now or timezone.now()
    good = Good.objects.filter(name=name).first()
    old = str(good.reference_price) if good else None
    if good is None:
        good = Good.objects.create(
            name=name, unit=unit, reference_price=value, reference_set_at=now
        )
    else:
        good.unit, good.reference_price, good.reference_set_at = unit, value, now
        good.save(update_fields=["unit", "reference_price", "reference_set_at"])
    audit.record(
        actor=acting_user,
        action="livelihood.reference_price.set",
        obj=good,
        detail={"name": name, "unit": unit, "old": old, "new": str(value)},
        request=request,
    )
    return good


def _require_city_wide(acting_user) -> None:
    """Reference prices hold for the whole city: set by headquarters (``approve``)
    with the city as its jurisdiction."""
    if isinstance(acting_user, SystemActor):
        return
    require_capability(acting_user, "approve")
    path = root_path(acting_user)
    if path is None or path.count("/") > CITY_SLASHES:
        raise PermissionDenied(_("Reference prices are set by the city's headquarters."))


#: A city's area path is ``/code/``.
CITY_SLASHES = 2


@transaction.atomic
def do_record_price_check(
    facility: Facility,
    good: Good,
    *,
    price,
    acting_user,
    now: dt.datetime | None = None,
    request=None,
) -> PriceCheck:
    """A price seen at ``facility``; flagged when it strays from the reference
    by more than ``[livelihood] price_tolerance_percent``."""
    require(acting_user, "edit_operations", facility.area)
    value = _price(price, "price")
    reference = good.reference_price
    deviation = ((value - reference) * 100 / reference).quantize(Decimal("0.1"))
    flagged = abs(deviation) > Decimal(str(rules().price_tolerance_percent))
    check = PriceCheck.objects.create(
        facility=facility,
        good=good,
        price=value,
        reference_price=reference,
        deviation_percent=deviation,
        flagged=flagged,
        checked_at=now or timezone.now(),
        checked_by_name=actor_name(acting_user),
    )
    audit.record(
        actor=acting_user,
        action="livelihood.price.check",
        obj=check,
        area=facility.area,
        detail={
            "facility": facility.pk,
            "good": good.name,
            "price": str(value),
            "reference": str(reference),
            "deviation_percent": str(deviation),
            "flagged": flagged,
        },
        request=request,
    )
    return check
