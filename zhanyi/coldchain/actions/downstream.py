"""Who handled a batch (从业人员, per step) and where it went (去向可查): the two
lists a positive sample is traced through."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.coldchain.models import Batch, BatchState, Distribution, Handling, HandlingStep
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.handoffs.actions import do_create_handoffs
from zhanyi.people.models import Person
from zhanyi.places.models import Area

from .batches import check_weight
from .common import require
from .samples import trace_specs


@transaction.atomic
def do_record_handling(
    batch: Batch,
    person: Person,
    *,
    step: str,
    handled_at: dt.datetime,
    acting_user,
    request=None,
) -> Handling:
    """A worker of the person index who handled ``batch`` at ``step``."""
    batch = Batch.objects.select_related("store__area").get(pk=batch.pk)
    require(acting_user, "edit_operations", batch.store.area)
    if step not in HandlingStep.values:
        raise ValidationError({"step": _("Unknown step: %(step)s.") % {"step": step}})
    if handled_at < batch.arrived_at:
        raise ValidationError(
            {
                "handled_at": _("Batch %(code)s arrived on %(arrived)s: nobody handled it before.")
                % {"code": batch.code, "arrived": batch.arrived_at.date().isoformat()}
            }
        )
    handling, created = Handling.objects.get_or_create(
        batch=batch,
        person=person,
        step=step,
        defaults={"handled_at": handled_at, "recorded_by_name": actor_name(acting_user)},
    )
    if created and batch.state == BatchState.SEALED:
        # A worker found after the positive sample is handed on at once.
        do_create_handoffs(
            trace_specs(batch, timezone.now()),
            acting_user=acting_user,
            origin_label=f"coldchain {batch.code}",
        )
    if created:
        audit.record(
            actor=acting_user,
            action="coldchain.handling.add",
            obj=batch,
            area=batch.store.area,
            detail={"batch": batch.code, "person": person.pk, "step": step},
            request=request,
        )
    return handling


def remaining_tonnes(batch: Batch) -> Decimal:
    sent = batch.distributions.aggregate(s=Sum("quantity_tonnes"))["s"] or Decimal(0)
    return batch.weight_tonnes - sent


@transaction.atomic
def do_distribute(
    batch: Batch,
    *,
    buyer: str,
    receiver: Person,
    quantity_tonnes: Decimal,
    delivered_on: dt.date,
    area: Area,
    acting_user,
    request=None,
) -> Distribution:
    """Part of a released batch delivered to a buyer in ``area``, received by a person."""
    batch = Batch.objects.select_for_update().select_related("store__area").get(pk=batch.pk)
    require(acting_user, "edit_operations", batch.store.area)
    if batch.state != BatchState.RELEASED:
        raise ValidationError(
            {
                "batch": _("Batch %(code)s is %(state)s: it leaves the store only once released.")
                % {"code": batch.code, "state": batch.get_state_display()}
            }
        )
    buyer = " ".join(buyer.split())
    if not buyer:
        raise ValidationError({"buyer": _("Name the buyer.")})
    quantity = check_weight(Decimal(quantity_tonnes), "quantity_tonnes")
    left = remaining_tonnes(batch)
    if quantity > left:
        raise ValidationError(
            {
                "quantity_tonnes": _(
                    "Batch %(code)s has %(left)s tonnes left; %(quantity)s cannot be delivered."
                )
                % {"code": batch.code, "left": left, "quantity": quantity}
            }
        )
    assert batch.released_at is not None  # a released batch
    if delivered_on < batch.released_at.astimezone(LOCAL_TZ).date():
        raise ValidationError(
            {"delivered_on": _("A delivery cannot come before the batch's release.")}
        )
    distribution = Distribution.objects.create(
        batch=batch,
        buyer=buyer,
        receiver=receiver,
        quantity_tonnes=quantity,
        delivered_on=delivered_on,
        area=area,
        recorded_by_name=actor_name(acting_user),
    )
    audit.record(
        actor=acting_user,
        action="coldchain.distribution.add",
        obj=batch,
        area=batch.store.area,
        detail={
            "batch": batch.code,
            "buyer": buyer,
            "receiver": receiver.pk,
            "quantity_tonnes": str(quantity),
            "area": area.code,
        },
        request=request,
    )
    return distribution
