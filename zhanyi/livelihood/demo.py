"""Supply assurance's step of the demo's replay of September 2021.

The article's supply network at its scale: 44 affordable stores, 17 processing,
23 storage and 31 distribution centres, 218 outlets, spread over the city's
townships (the sealed compound's township first); five staples with reference
prices, checked at every affordable store (two pork prices over the
tolerance); a household of the sealed compound (万益学府花园) orders by phone on
18 September, and the order goes store → gate → volunteer → door; and the
compound's village care list (the elderly living alone, children, chronic
medicine). Idempotent: what exists is not made again.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.exceptions import ValidationError

from zhanyi.accounts.models import Role, User
from zhanyi.core.jurisdiction import can_see_area
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.livelihood import actions
from zhanyi.livelihood.actions.orders import stores_for
from zhanyi.livelihood.models import (
    Care,
    CareKind,
    Facility,
    FacilityKind,
    Good,
    HomeLink,
    Order,
    OrderState,
    PriceCheck,
)
from zhanyi.people.models import Household, Person
from zhanyi.places.models import Area, AreaLevel

#: The article's network (启动 44 家平价商店，建立应急加工企业 17 家、应急储运企业
#: 23 家、应急配送中心 31 家和应急供应网点 218 家).
NETWORK = {
    FacilityKind.AFFORDABLE_STORE: ("平价商店", 44),
    FacilityKind.PROCESSING: ("应急加工企业", 17),
    FacilityKind.STORAGE: ("应急储运企业", 23),
    FacilityKind.DISTRIBUTION: ("应急配送中心", 31),
    FacilityKind.OUTLET: ("应急供应网点", 218),
}
STAPLES = [
    ("大米", "kg", "5.20"),
    ("食用油", "L", "14.00"),
    ("猪肉", "kg", "32.00"),
    ("鸡蛋", "kg", "11.00"),
    ("青菜", "kg", "4.00"),
]
COMPOUND = "万益学府花园"
PRICES_AT = dt.datetime(2021, 9, 18, 9, 0, tzinfo=LOCAL_TZ)
LINK_AT = dt.datetime(2021, 9, 17, 20, 0, tzinfo=LOCAL_TZ)
ORDER_AT = dt.datetime(2021, 9, 18, 8, 30, tzinfo=LOCAL_TZ)


def _network(acting_user, first: Area | None) -> int:
    townships = list(Area.objects.filter(level=AreaLevel.TOWNSHIP).order_by("path"))
    if first is not None and first in townships:
        townships.remove(first)
        townships.insert(0, first)
    made = 0
    for kind, (label, target) in NETWORK.items():
        have = Facility.objects.filter(kind=kind).count()
        for n in range(have, target):
            township = townships[n % len(townships)]
            actions.do_add_facility(
                name=f"{township.name}{label}{n + 1}",
                kind=kind,
                area=township,
                acting_user=acting_user,
            )
            made += 1
    return made


def _prices(acting_user, rng: random.Random) -> None:
    goods = {
        name: Good.objects.filter(name=name).first()
        or actions.do_set_reference_price(
            name=name, unit=unit, price=price, acting_user=acting_user, now=PRICES_AT
        )
        for name, unit, price in STAPLES
    }
    if PriceCheck.objects.exists():
        return
    stores = Facility.objects.filter(kind=FacilityKind.AFFORDABLE_STORE).order_by("pk")
    for i, store in enumerate(stores):
        for name, good in goods.items():
            factor = Decimal(str(1 + rng.uniform(-0.06, 0.06)))
            if name == "猪肉" and i in (3, 17):
                factor = Decimal("1.18")  # the two the market supervisors went back to
            actions.do_record_price_check(
                store,
                good,
                price=(good.reference_price * factor).quantize(Decimal("0.01")),
                acting_user=acting_user,
                now=PRICES_AT + dt.timedelta(minutes=7 * i),
            )


def _sealed_order(acting_user, household: Household) -> dict:
    """One household's phone order carried to the door on the story's clock."""
    try:
        link = HomeLink.objects.filter(household=household).first() or actions.do_issue_home_link(
            household, gate=f"{COMPOUND}东门", acting_user=acting_user, now=LINK_AT
        )
    except ValidationError as error:
        return {"refused": " ".join(error.messages)}
    order = link.orders.first()
    if order is None:
        store = stores_for(link).filter(kind=FacilityKind.AFFORDABLE_STORE).first()
        try:
            order = actions.do_place_order(
                link, facility=store, items="大米 5kg\n鸡蛋 1kg\n青菜 2kg", now=ORDER_AT
            )
        except ValidationError as error:
            return {"refused": " ".join(error.messages)}
    volunteer = next(
        (
            u
            for u in User.objects.filter(is_active=True, role=Role.FIELD).order_by("pk")
            if can_see_area(u, link.area)
        ),
        None,
    )
    if volunteer is None:
        return {"order": order.pk, "state": order.state, "refused": "no volunteer's account"}
    clock = ORDER_AT
    for step in ("accept", "gate", "hand", "deliver"):
        clock += dt.timedelta(minutes=40)
        if order.state == OrderState.DELIVERED:
            break
        if step == "accept" and order.state == OrderState.PLACED:
            actions.do_accept_order(order, acting_user=acting_user, now=clock)
        elif step == "gate" and order.state == OrderState.ACCEPTED:
            actions.do_bring_to_gate(order, acting_user=acting_user, now=clock)
        elif step == "hand" and order.state == OrderState.AT_GATE:
            actions.do_hand_to_volunteer(
                order, volunteer=volunteer, acting_user=acting_user, now=clock
            )
        elif step == "deliver" and order.state == OrderState.CARRYING:
            actions.do_deliver_order(order, acting_user=volunteer, now=clock)
    return {"order": order.pk, "state": order.state, "steps": order.steps.count()}


def _care(acting_user, village: Area) -> int:
    if Care.objects.filter(area=village).exists():
        return 0
    people = Person.objects.filter(village=village, merged_into=None, birth_date__isnull=False)
    old = people.filter(birth_date__lte=dt.date(1946, 1, 1)).order_by("external_id", "pk")
    young = people.filter(birth_date__gte=dt.date(2015, 1, 1)).order_by("external_id", "pk")
    chosen = [(p, CareKind.ELDERLY_ALONE, "每日问候，代购生活用品") for p in old[:5]]
    chosen += [(p, CareKind.CHILD_WITH_PARENT, "营养品、益智用品") for p in young[:5]]
    chosen += [(p, CareKind.CHRONIC_MEDICINE, "降压药，每月一次") for p in old[5:10]]
    for person, kind, needs in chosen:
        actions.do_add_care(person, kind=kind, needs=needs, acting_user=acting_user, now=LINK_AT)
    return len(chosen)


def replay_livelihood(*, acting_user, seed: int = 20210917) -> dict:
    """The network, prices, a sealed home's order to the door, the care list."""
    household = (
        Household.objects.filter(place__name=COMPOUND)
        .select_related("village__parent", "grid")
        .order_by("external_id", "pk")
        .first()
    )
    first = household.village.parent if household else None
    made = _network(acting_user, first)
    _prices(acting_user, random.Random(seed))
    summary: dict = {
        "facilities_made": made,
        "facilities": {k: Facility.objects.filter(kind=k).count() for k in FacilityKind.values},
        "price_flags": PriceCheck.objects.filter(flagged=True).count(),
    }
    if household is not None:
        summary["sealed_order"] = _sealed_order(acting_user, household)
        summary["care"] = _care(acting_user, household.village)
    summary["orders_delivered"] = Order.objects.filter(state=OrderState.DELIVERED).count()
    return summary
