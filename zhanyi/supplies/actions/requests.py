"""Requests between holders (申领) and their allocation (调拨): a holder asks, a
headquarters decision (``approve``) allocates from a holder with the stock, or
refuses saying why."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.supplies.models import Holder, Item, RequestState, SupplyRequest

from .common import require
from .stock import _quantity, do_move_stock


@transaction.atomic
def do_request_supplies(
    requester: Holder, item: Item, quantity: int, *, reason: str = "", acting_user, request=None
) -> SupplyRequest:
    require(acting_user, "edit_operations", requester.area)
    supply_request = SupplyRequest.objects.create(
        requester=requester,
        item=item,
        quantity=_quantity(quantity),
        reason=reason.strip()[:255],
        created_by_name=actor_name(acting_user),
    )
    audit.record(
        actor=acting_user,
        action="supplies.request.create",
        obj=supply_request,
        area=requester.area,
        detail={"holder": requester.name, "item": item.code, "quantity": quantity},
        request=request,
    )
    return supply_request


def _pending(supply_request: SupplyRequest) -> SupplyRequest:
    locked = (
        SupplyRequest.objects.select_for_update()
        .select_related("requester__area", "item")
        .get(pk=supply_request.pk)
    )
    if locked.state != RequestState.PENDING:
        raise ValidationError(
            {
                "state": _("This request is %(state)s already.")
                % {"state": locked.get_state_display()}
            }
        )
    return locked


@transaction.atomic
def do_approve_request(
    supply_request: SupplyRequest,
    supplier: Holder,
    *,
    quantity: int | None = None,
    acting_user,
    request=None,
) -> SupplyRequest:
    """Approved and allocated: ``quantity`` (all that was asked, unless less is
    given) transferred from ``supplier`` to the requester, the request's number
    as the transfer's document (调拨单)."""
    locked = _pending(supply_request)
    require(acting_user, "approve", locked.requester.area)
    require(acting_user, "approve", supplier.area)
    amount = _quantity(quantity if quantity is not None else locked.quantity)
    if amount > locked.quantity:
        raise ValidationError(
            {
                "quantity": _("%(n)d were asked for: no more can be allocated.")
                % {"n": locked.quantity}
            }
        )
    now = timezone.now()
    do_move_stock(
        supplier,
        locked.item,
        kind="transfer",
        quantity=amount,
        document_number=f"DB-{locked.pk:06d}",
        to_holder=locked.requester,
        acting_user=acting_user,
        now=now,
        request=request,
    )
    locked.state = RequestState.APPROVED
    locked.supplier = supplier
    locked.decision_note = _("%(n)d allocated") % {"n": amount}
    locked.decided_at = now
    locked.decided_by_name = actor_name(acting_user)
    locked.save(
        update_fields=["state", "supplier", "decision_note", "decided_at", "decided_by_name"]
    )
    audit.record(
        actor=acting_user,
        action="supplies.request.approve",
        obj=locked,
        area=locked.requester.area,
        detail={"supplier": supplier.name, "quantity": amount, "new": RequestState.APPROVED},
        request=request,
    )
    return locked


@transaction.atomic
def do_refuse_request(
    supply_request: SupplyRequest, *, reason: str, acting_user, request=None
) -> SupplyRequest:
    locked = _pending(supply_request)
    require(acting_user, "approve", locked.requester.area)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the request is refused.")})
    locked.state = RequestState.REFUSED
    locked.decision_note = reason.strip()[:255]
    locked.decided_at = timezone.now()
    locked.decided_by_name = actor_name(acting_user)
    locked.save(update_fields=["state", "decision_note", "decided_at", "decided_by_name"])
    audit.record(
        actor=acting_user,
        action="supplies.request.refuse",
        obj=locked,
        area=locked.requester.area,
        detail={"reason": locked.decision_note, "new": RequestState.REFUSED},
        request=request,
    )
    return locked
