"""Items, holders, and the movements of their stock (入库、出库、调拨), each with
its document number; issuing below zero is refused with the stock on hand."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.places.models import Area
from zhanyi.supplies.models import (
    STANDARD_ITEMS,
    Holder,
    HolderKind,
    Item,
    Movement,
    MovementKind,
    Stock,
)

from .common import require
from .cover import check_line


@transaction.atomic
def do_ensure_items(*, acting_user, request=None) -> list[Item]:
    """The article's seven items, made once (masks, protective suits, isolation
    gowns, eye masks, goggles, gloves, shoe covers)."""
    require(acting_user, "edit_operations", check_area=False)
    made = []
    for code, (label, unit) in STANDARD_ITEMS.items():
        item, created = Item.objects.get_or_create(
            code=code, defaults={"name": str(label), "unit": str(unit)}
        )
        if created:
            made.append(item)
    if made:
        audit.record(
            actor=acting_user,
            action="supplies.items.create",
            object_type="supplies.item",
            detail={"items": [i.code for i in made]},
            request=request,
        )
    return list(Item.objects.all())


@transaction.atomic
def do_create_holder(*, acting_user, name: str, kind: str, area: Area, request=None) -> Holder:
    """A hospital, the CDC, a quarantine or testing site or a county store that keeps supplies."""
    require(acting_user, "edit_operations", area)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Name the holder.")})
    if kind not in HolderKind.values:
        raise ValidationError({"kind": _("Unknown kind of holder: %(kind)s.") % {"kind": kind}})
    if Holder.objects.filter(name=name).exists():
        raise ValidationError(
            {"name": _("A holder named %(name)s exists already.") % {"name": name}}
        )
    holder = Holder.objects.create(name=name, kind=kind, area=area)
    audit.record(
        actor=acting_user,
        action="supplies.holder.create",
        obj=holder,
        area=area,
        detail={"name": name, "kind": kind, "area": area.code},
        request=request,
    )
    return holder


def _stock(holder: Holder, item: Item) -> Stock:
    """The holder's stock of the item, locked for the change (made at zero if new)."""
    Stock.objects.get_or_create(holder=holder, item=item)
    return (
        Stock.objects.select_for_update()
        .select_related("holder", "item")
        .get(holder=holder, item=item)
    )


@transaction.atomic
def do_set_peak_use(
    holder: Holder, item: Item, peak_daily_use: int, *, acting_user, request=None
) -> Stock:
    """The holder's daily use of the item at the peak (按照疫情高峰期的使用量)."""
    require(acting_user, "edit_operations", holder.area)
    if peak_daily_use < 0:
        raise ValidationError({"peak_daily_use": _("A daily use cannot be negative.")})
    stock = _stock(holder, item)
    old = stock.peak_daily_use
    stock.peak_daily_use = peak_daily_use
    stock.save(update_fields=["peak_daily_use", "updated_at"])
    check_line(stock, timezone.now())
    audit.record(
        actor=acting_user,
        action="supplies.peak_use",
        obj=holder,
        area=holder.area,
        detail={"item": item.code, "old": old, "new": peak_daily_use},
        request=request,
    )
    return stock


def _document(document_number: str) -> str:
    number = " ".join(document_number.split())
    if not number:
        raise ValidationError({"document_number": _("Give the document number of the movement.")})
    return number[:64]


def _quantity(quantity: int) -> int:
    if quantity <= 0:
        raise ValidationError({"quantity": _("A quantity is a whole number above zero.")})
    return quantity


def move(
    stock: Stock,
    kind: str,
    quantity: int,
    document_number: str,
    *,
    acting_user,
    counterpart: Holder | None = None,
    now: dt.datetime,
) -> Movement:
    """One movement of a locked stock; refused below zero, naming what is on hand."""
    out = kind in (MovementKind.ISSUED, MovementKind.TRANSFER_OUT)
    if out and quantity > stock.quantity:
        raise ValidationError(
            {
                "quantity": _(
                    "%(holder)s has %(on_hand)d %(unit)s of %(item)s on hand: "
                    "%(quantity)d cannot be issued."
                )
                % {
                    "holder": stock.holder.name,
                    "on_hand": stock.quantity,
                    "unit": stock.item.unit_label,
                    "item": stock.item.label,
                    "quantity": quantity,
                }
            }
        )
    stock.quantity += -quantity if out else quantity
    stock.save(update_fields=["quantity", "updated_at"])
    check_line(stock, now)
    return Movement.objects.create(
        holder=stock.holder,
        item=stock.item,
        kind=kind,
        quantity=quantity,
        balance_after=stock.quantity,
        document_number=document_number,
        counterpart=counterpart,
        moved_at=now,
        recorded_by_name=actor_name(acting_user),
    )


@transaction.atomic
def do_move_stock(
    holder: Holder,
    item: Item,
    *,
    kind: str,
    quantity: int,
    document_number: str,
    acting_user,
    to_holder: Holder | None = None,
    now: dt.datetime | None = None,
    request=None,
) -> Movement:
    """Received (入库), issued (出库) or transferred to another holder (调拨)."""
    require(acting_user, "edit_operations", holder.area)
    document_number = _document(document_number)
    quantity = _quantity(quantity)
    now = now or timezone.now()
    if kind == "transfer":
        if to_holder is None or to_holder == holder:
            raise ValidationError({"to_holder": _("Name the holder the supplies go to.")})
        first, second = sorted([holder, to_holder], key=lambda h: h.pk)  # one lock order
        stocks = {h.pk: _stock(h, item) for h in (first, second)}
        movement = move(
            stocks[holder.pk],
            MovementKind.TRANSFER_OUT,
            quantity,
            document_number,
            acting_user=acting_user,
            counterpart=to_holder,
            now=now,
        )
        move(
            stocks[to_holder.pk],
            MovementKind.TRANSFER_IN,
            quantity,
            document_number,
            acting_user=acting_user,
            counterpart=holder,
            now=now,
        )
    elif kind in (MovementKind.RECEIVED, MovementKind.ISSUED):
        movement = move(
            _stock(holder, item), kind, quantity, document_number, acting_user=acting_user, now=now
        )
    else:
        raise ValidationError({"kind": _("A movement is received, issued or a transfer.")})
    audit.record(
        actor=acting_user,
        action=f"supplies.stock.{kind}",
        obj=holder,
        area=holder.area,
        detail={
            "item": item.code,
            "quantity": quantity,
            "document": document_number,
            "to": to_holder.name if to_holder else "",
            "balance_after": movement.balance_after,
        },
        request=request,
    )
    return movement
