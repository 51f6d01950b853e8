"""Holders and stock made through the supplies app's actions."""

from __future__ import annotations

from zhanyi.core.audit import cli_actor
from zhanyi.supplies import actions
from zhanyi.supplies.models import Holder, Item

ACTOR = cli_actor()


def item(code="masks") -> Item:
    actions.do_ensure_items(acting_user=ACTOR)
    return Item.objects.get(code=code)


def holder(area, name="芗城区医院", kind="hospital", *, stock=None) -> Holder:
    h = actions.do_create_holder(acting_user=ACTOR, name=name, kind=kind, area=area)
    for code, (quantity, peak) in (stock or {}).items():
        if quantity:
            actions.do_move_stock(
                h,
                item(code),
                kind="received",
                quantity=quantity,
                document_number=f"RK-{code}",
                acting_user=ACTOR,
            )
        if peak:
            actions.do_set_peak_use(h, item(code), peak, acting_user=ACTOR)
    return h
