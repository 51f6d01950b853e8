"""Cold stores and import batches: a batch recorded, its four documents (四证)
filled in, and its release (放行), refused while a document is missing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.coldchain.models import DOCUMENTS, Batch, BatchState, ColdStore
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.places.models import Area

from .common import require


@transaction.atomic
def do_create_store(
    *, acting_user, name: str, area: Area, address: str = "", request=None
) -> ColdStore:
    """A cold store under central supervision (集中监管仓)."""
    require(acting_user, "edit_operations", area)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Name the cold store.")})
    if ColdStore.objects.filter(name=name).exists():
        raise ValidationError(
            {"name": _("A cold store named %(name)s exists already.") % {"name": name}}
        )
    store = ColdStore.objects.create(name=name, area=area, address=address)
    audit.record(
        actor=acting_user,
        action="coldchain.store.create",
        obj=store,
        area=area,
        detail={"name": name, "area": area.code},
        request=request,
    )
    return store


def check_weight(weight: Decimal, field: str = "weight_tonnes") -> Decimal:
    if weight <= 0 or weight >= Decimal("10000000"):
        raise ValidationError(
            {field: _("A weight is a positive number of tonnes, not %(w)s.") % {"w": weight}}
        )
    return weight.quantize(Decimal("0.001"))


def documents_of(values: dict) -> dict[str, str]:
    """The document numbers given, trimmed; unknown names refused."""
    unknown = sorted(set(values) - set(DOCUMENTS))
    if unknown:
        raise ValidationError(
            {"documents": _("Unknown documents: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    return {name: " ".join(str(values[name] or "").split())[:64] for name in values}


@transaction.atomic
def do_create_batch(
    *,
    acting_user,
    code: str,
    product: str,
    origin_country: str,
    weight_tonnes: Decimal,
    store: ColdStore,
    arrived_at: dt.datetime,
    documents: dict[str, str] | None = None,
    request=None,
) -> Batch:
    """An import batch arrived in a cold store; held until its documents are complete."""
    require(acting_user, "edit_operations", store.area)
    code = "".join(code.split())
    if not code:
        raise ValidationError({"code": _("Give the batch number.")})
    if Batch.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Batch %(code)s is recorded already.") % {"code": code}})
    if not product.strip() or not origin_country.strip():
        raise ValidationError({"product": _("Give the product and its origin country.")})
    batch = Batch.objects.create(
        code=code,
        product=product.strip(),
        origin_country=origin_country.strip(),
        weight_tonnes=check_weight(Decimal(weight_tonnes)),
        store=store,
        arrived_at=arrived_at,
        **documents_of(documents or {}),
    )
    audit.record(
        actor=acting_user,
        action="coldchain.batch.create",
        obj=batch,
        area=store.area,
        detail={
            "code": code,
            "product": batch.product,
            "weight_tonnes": str(batch.weight_tonnes),
            "store": store.name,
            "missing": batch.missing_documents,
        },
        request=request,
    )
    return batch


@transaction.atomic
def do_set_documents(
    batch: Batch, documents: dict[str, str], *, acting_user, request=None
) -> Batch:
    """Document numbers of a batch filled in or corrected (an empty one is removed)."""
    batch = Batch.objects.select_for_update().select_related("store__area").get(pk=batch.pk)
    require(acting_user, "edit_operations", batch.store.area)
    new = documents_of(documents)
    old = {name: getattr(batch, name) for name in new}
    if batch.state == BatchState.RELEASED and any(not v for v in new.values()):
        raise ValidationError(
            {
                "documents": _("Batch %(code)s is released: its documents cannot be removed.")
                % {"code": batch.code}
            }
        )
    for name, value in new.items():
        setattr(batch, name, value)
    batch.save(update_fields=list(new))
    audit.record(
        actor=acting_user,
        action="coldchain.batch.documents",
        obj=batch,
        area=batch.store.area,
        detail={"old": old, "new": new},
        request=request,
    )
    return batch


def release_refusal(batch: Batch) -> str | None:
    """Why ``batch`` cannot be released, or None."""
    if batch.state == BatchState.SEALED:
        return _("Batch %(code)s is sealed after a positive sample and cannot be released.") % {
            "code": batch.code
        }
    if batch.state == BatchState.RELEASED:
        return _("Batch %(code)s is released already.") % {"code": batch.code}
    missing = batch.missing_documents
    if missing:
        return _("Batch %(code)s in %(store)s cannot be released: missing the %(documents)s.") % {
            "code": batch.code,
            "store": batch.store.name,
            "documents": ", ".join(missing),
        }
    return None


@transaction.atomic
def do_release_batch(
    batch: Batch, *, acting_user, now: dt.datetime | None = None, request=None
) -> Batch:
    """A batch released from central supervision: only with all four documents (四证齐全)."""
    batch = Batch.objects.select_for_update().select_related("store__area").get(pk=batch.pk)
    require(acting_user, "edit_operations", batch.store.area)
    refusal = release_refusal(batch)
    if refusal:
        raise ValidationError({"state": refusal})
    batch.state = BatchState.RELEASED
    batch.released_at = now or timezone.now()
    batch.released_by_name = actor_name(acting_user)
    batch.save(update_fields=["state", "released_at", "released_by_name"])
    audit.record(
        actor=acting_user,
        action="coldchain.batch.release",
        obj=batch,
        area=batch.store.area,
        detail={"code": batch.code, "old": BatchState.HELD, "new": BatchState.RELEASED},
        request=request,
    )
    return batch


@transaction.atomic
def do_release_complete_batches(
    batches: QuerySet[Batch], *, acting_user, now: dt.datetime | None = None, request=None
) -> int:
    """Every held batch of ``batches`` whose four documents are in, released at
    once (a store's day of arrivals); the others stay held. One audit record
    per store, listing the batches."""
    require(acting_user, "edit_operations", check_area=False)
    complete = batches.filter(state=BatchState.HELD).select_related("store__area")
    for name in DOCUMENTS:
        complete = complete.exclude(**{name: ""})
    by_store: dict[int, list[Batch]] = {}
    for batch in complete.select_for_update(of=("self",)):
        require(acting_user, "edit_operations", batch.store.area)
        by_store.setdefault(batch.store_id, []).append(batch)
    when = now or timezone.now()
    name = actor_name(acting_user)
    for store_batches in by_store.values():
        Batch.objects.filter(pk__in=[b.pk for b in store_batches]).update(
            state=BatchState.RELEASED, released_at=when, released_by_name=name
        )
        store = store_batches[0].store
        audit.record(
            actor=acting_user,
            action="coldchain.batch.release",
            obj=store,
            area=store.area,
            detail={"batches": [b.code for b in store_batches], "new": BatchState.RELEASED},
            request=request,
        )
    return sum(len(b) for b in by_store.values())
