"""The supplies step of the demo's replay of September 2021.

The city's reserve at the article's figures (市本级: 8,855,000 masks, 9,306
protective suits, 8,438 isolation gowns, 6,658 eye masks, 3,929 goggles,
125,000 gloves, 61,100 shoe covers), the city CDC and the designated hospital,
and in each county a hospital, a county store and its quarantine sites'
store; each stock received with its document and each holder's peak daily use
recorded, so days of cover follow. The designated hospital's protective suits
fall short of its 30 days and each county hospital's shoe covers of theirs
(alerts; the county forecasts run short of shoe covers), a county hospital requests suits and the
commander allocates them from the city's reserve. Idempotent: holders and
their first receipts are made once."""

from __future__ import annotations

import datetime as dt

from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area, AreaLevel
from zhanyi.supplies import actions
from zhanyi.supplies.models import Holder, Item, SupplyRequest

RECEIVED_AT = dt.datetime(2021, 9, 14, 9, tzinfo=LOCAL_TZ)

#: 市本级储备 (the article).
CITY_RESERVE = {
    "masks": 8_855_000,
    "protective_suits": 9306,
    "isolation_gowns": 8438,
    "eye_masks": 6658,
    "goggles": 3929,
    "gloves": 125_000,
    "shoe_covers": 61_100,
}
#: (stock, peak daily use) of a holder of each kind; the designated hospital's suits
#: last 20 days of its peak, under its 30.
HOSPITAL = {
    "masks": (90_000, 2_000),
    "protective_suits": (6_000, 300),
    "isolation_gowns": (9_000, 250),
    "eye_masks": (4_000, 100),
    "goggles": (1_000, 20),
    "gloves": (80_000, 2_000),
    "shoe_covers": (12_000, 350),
}
CDC = {code: (q // 3, u // 2) for code, (q, u) in HOSPITAL.items()}
#: A county hospital: its shoe covers last about 11 days of its peak (an alert,
#: and the county's forecast runs out within its 14 days).
COUNTY_HOSPITAL = {
    **{code: (q // 3, u // 6) for code, (q, u) in HOSPITAL.items()},
    "shoe_covers": (4_000, 350),
}
QUARANTINE_STORE = {
    "masks": (3_000, 0),
    "protective_suits": (200, 0),
    "isolation_gowns": (300, 0),
    "eye_masks": (100, 0),
    "goggles": (20, 0),
    "gloves": (2_000, 0),
    "shoe_covers": (400, 0),
}


def _holder(acting_user, name: str, kind: str, area: Area, stock: dict) -> bool:
    if Holder.objects.filter(name=name).exists():
        return False
    holder = actions.do_create_holder(acting_user=acting_user, name=name, kind=kind, area=area)
    items = {i.code: i for i in Item.objects.all()}
    for n, (code, value) in enumerate(stock.items()):
        quantity, peak = value if isinstance(value, tuple) else (value, 0)
        actions.do_move_stock(
            holder,
            items[code],
            kind="received",
            quantity=quantity,
            document_number=f"RK-{holder.pk:04d}-{n + 1:02d}",
            acting_user=acting_user,
            now=RECEIVED_AT,
        )
        if peak:
            actions.do_set_peak_use(holder, items[code], peak, acting_user=acting_user)
    return True


def replay_supplies(*, acting_user) -> dict:
    """Holders with their stock and peak use, one request allocated, the cover checked."""
    actions.do_ensure_items(acting_user=acting_user)
    city = Area.objects.filter(level=AreaLevel.CITY).order_by("pk").first()
    if city is None:
        return {"holders_made": 0}
    made = 0
    made += _holder(
        acting_user, f"{city.name}市本级防疫物资储备库", "county_store", city, CITY_RESERVE
    )
    made += _holder(acting_user, f"{city.name}疾病预防控制中心", "cdc", city, CDC)
    made += _holder(acting_user, f"{city.name}新冠肺炎定点医院", "hospital", city, HOSPITAL)
    for county in Area.objects.filter(level=AreaLevel.COUNTY).order_by("code"):
        made += _holder(acting_user, f"{county.name}人民医院", "hospital", county, COUNTY_HOSPITAL)
        made += _holder(
            acting_user,
            f"{county.name}集中隔离点物资库",
            "quarantine_site",
            county,
            QUARANTINE_STORE,
        )
    first = Area.objects.filter(level=AreaLevel.COUNTY).order_by("code").first()
    requester = Holder.objects.filter(name=f"{first.name}人民医院").first() if first else None
    if requester is not None and not SupplyRequest.objects.exists():
        suits = Item.objects.get(code="protective_suits")
        supply_request = actions.do_request_supplies(
            requester, suits, 500, reason="隔离点医护人员增派", acting_user=acting_user
        )
        actions.do_approve_request(
            supply_request,
            Holder.objects.get(name=f"{city.name}市本级防疫物资储备库"),
            acting_user=acting_user,
        )
    counts = actions.do_check_cover(acting_user=acting_user)
    return {"holders_made": made, "alerts_open": counts["raised"] + counts["open"]}
