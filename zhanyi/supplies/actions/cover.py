"""Days of cover against the protocol's targets (医疗机构 30 天、疾控 10 天) and
the alerts that follow them: raised when a stock falls below its target,
cleared when it is back. Checked after every movement of the stock and by the
clock (``periodic.py``), so a new peak use or a new protocol is seen too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhanyi.core import audit
from zhanyi.engine.protocol import DEFAULT_PROTOCOL, SuppliesRule, load_protocol
from zhanyi.engine.supplies import days_of_cover
from zhanyi.supplies.models import CoverAlert, Stock

from .common import require

_RULES: dict[str, SuppliesRule] = {}


def rules(name: str = DEFAULT_PROTOCOL) -> SuppliesRule:
    """The protocol's [supplies] section (read once per process)."""
    if name not in _RULES:
        _RULES[name] = load_protocol(name).supplies
    return _RULES[name]


def target_days(holder_kind: str) -> int | None:
    """The days of cover a holder of this kind keeps; None: no target."""
    value = rules().cover_days.get(holder_kind)
    return int(value) if value else None


def check_line(stock: Stock, now: dt.datetime) -> str:
    """Open, update or clear the alert of one stock; says which ('raised',
    'cleared', 'open', 'ok')."""
    target = target_days(stock.holder.kind)
    cover = days_of_cover(stock.quantity, stock.peak_daily_use)
    below = target is not None and cover is not None and cover < target
    alert = CoverAlert.objects.filter(
        holder_id=stock.holder_id, item_id=stock.item_id, cleared_at__isnull=True
    ).first()
    if below:
        assert target is not None and cover is not None
        if alert is None:
            CoverAlert.objects.create(
                holder_id=stock.holder_id,
                item_id=stock.item_id,
                days_of_cover=Decimal(str(cover)),
                target_days=target,
                raised_at=now,
            )
            return "raised"
        alert.days_of_cover = Decimal(str(cover))
        alert.target_days = target
        alert.save(update_fields=["days_of_cover", "target_days"])
        return "open"
    if alert is not None:
        alert.cleared_at = now
        alert.save(update_fields=["cleared_at"])
        return "cleared"
    return "ok"


@transaction.atomic
def do_check_cover(*, acting_user, now: dt.datetime | None = None, request=None) -> dict[str, int]:
    """Every stock checked against its target; one audit record for the check."""
    require(acting_user, "edit_operations", check_area=False)
    now = now or timezone.now()
    counts = {"raised": 0, "cleared": 0, "open": 0, "ok": 0}
    for stock in Stock.objects.select_related("holder"):
        counts[check_line(stock, now)] += 1
    audit.record(
        actor=acting_user,
        action="supplies.cover.check",
        object_type="supplies.stock",
        detail=counts,
        request=request,
    )
    return counts
