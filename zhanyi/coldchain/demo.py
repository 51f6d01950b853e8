"""The cold-chain step of the demo's replay of September 2021.

A cold store under central supervision in every county; customs' spreadsheet
of the article's 1,422 batches (20,100 tonnes) arriving over the outbreak's
days, imported through the same action as a desk's upload; every batch whose
four documents are in released, the few without them held; then one batch's
workers and buyers recorded and a positive environmental sample found on it,
which seals it and hands its people to testing and their village teams.
Idempotent: stores, the spreadsheet and the positive sample are made once."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from decimal import Decimal

from zhanyi.coldchain import actions
from zhanyi.coldchain.models import Batch, BatchSample, BatchState, ColdStore, HandlingStep
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.people.models import Person
from zhanyi.places.models import Area, AreaLevel

#: The article: 1,422 batches, 20,100 tonnes of imported cold-chain food checked.
BATCHES, TONNES = 1422, Decimal("20100")
#: Batches customs sent without one of their documents: they stay held.
INCOMPLETE = 37
CODE_PREFIX = "ZZCC2021"
PRODUCTS = [
    ("冷冻猪肉", "巴西"),
    ("冷冻牛肉", "阿根廷"),
    ("冷冻鸡翅", "美国"),
    ("冷冻虾仁", "厄瓜多尔"),
    ("冷冻带鱼", "印度"),
    ("冷冻三文鱼", "挪威"),
    ("冷冻羊肉", "新西兰"),
    ("冷冻鳕鱼", "俄罗斯"),
]
FIRST_DAY = dt.date(2021, 9, 10)
DAYS = 21
RELEASED_AT = dt.datetime(2021, 9, 30, 12, tzinfo=LOCAL_TZ)


def _stores(acting_user) -> list[ColdStore]:
    stores = []
    for county in Area.objects.filter(level=AreaLevel.COUNTY).order_by("code"):
        name = f"{county.name}进口冷链食品集中监管仓"
        store = ColdStore.objects.filter(name=name).first()
        if store is None:
            store = actions.do_create_store(acting_user=acting_user, name=name, area=county)
        stores.append(store)
    return stores


def _weights(rng: random.Random) -> list[Decimal]:
    """1,422 weights in tonnes adding up to exactly 20,100."""
    raw = [rng.uniform(4, 26) for _ in range(BATCHES)]
    scale = float(TONNES) / sum(raw)
    weights = [Decimal(str(round(w * scale, 3))) for w in raw]
    weights[-1] += TONNES - sum(weights)
    return weights


def customs_spreadsheet(stores: list[ColdStore], rng: random.Random) -> bytes:
    """The batches as customs sends them: a CSV with Chinese headers, in GBK."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "批次号",
            "品名",
            "原产国",
            "重量（吨）",
            "冷库",
            "到港日期",
            "检验检疫证明",
            "核酸检测报告",
            "消毒证明",
            "追溯码",
        ]
    )
    incomplete = set(rng.sample(range(BATCHES), INCOMPLETE))
    for i, weight in enumerate(_weights(rng)):
        product, country = PRODUCTS[i % len(PRODUCTS)]
        day = FIRST_DAY + dt.timedelta(days=i * DAYS // BATCHES)
        docs = [f"JY{i:05d}", f"HS{i:05d}", f"XD{i:05d}", f"ZS{i:05d}"]
        if i in incomplete:
            docs[rng.randrange(4)] = "无"
        writer.writerow(
            [
                f"{CODE_PREFIX}{i:05d}",
                product,
                country,
                weight,
                stores[i % len(stores)].name,
                day.isoformat(),
                *docs,
            ]
        )
    return out.getvalue().encode("gbk")


def _trace_one(acting_user, store: ColdStore) -> dict:
    """One released batch of ``store``: its workers and buyers, then a positive sample."""
    batch = Batch.objects.filter(store=store, state=BatchState.RELEASED).order_by("code").first()
    people = list(
        Person.objects.filter(village__path__startswith=store.area.path).order_by("pk")[:5]
    )
    if batch is None or len(people) < 5:
        return {"traced_people": 0}
    arrived = batch.arrived_at
    for person, step in zip(
        people[:3],
        [HandlingStep.UNLOADING, HandlingStep.STORAGE, HandlingStep.LOADING],
        strict=True,
    ):
        actions.do_record_handling(
            batch,
            person,
            step=step,
            handled_at=arrived + dt.timedelta(hours=2),
            acting_user=acting_user,
        )
    half = (batch.weight_tonnes / 2).quantize(Decimal("0.001"))
    for n, receiver in enumerate(people[3:]):
        actions.do_distribute(
            batch,
            buyer=f"{store.area.name}农贸市场{n + 1}号摊位",
            receiver=receiver,
            quantity_tonnes=half,
            delivered_on=RELEASED_AT.date(),
            area=receiver.village or store.area,
            acting_user=acting_user,
        )
    sample = actions.do_record_sample(
        batch,
        kind="environment",
        result="positive",
        sampled_at=RELEASED_AT + dt.timedelta(days=1),
        acting_user=acting_user,
        now=RELEASED_AT + dt.timedelta(days=1, hours=6),
    )
    return {"traced_batch": batch.code, "traced_people": sample.traced_people}


def replay_coldchain(*, acting_user, seed: int = 20210910) -> dict:
    """Stores, customs' spreadsheet, releases, and one positive sample traced."""
    rng = random.Random(seed)
    stores = _stores(acting_user)
    summary: dict = {"imported": 0, "released": 0}
    if stores and not Batch.objects.filter(code__startswith=CODE_PREFIX).exists():
        data = customs_spreadsheet(stores, rng)
        run = actions.do_import_batches(
            io.BytesIO(data), "海关进口冷链食品批次表.csv", acting_user=acting_user
        )
        summary["imported"] = run.imported
        summary["released"] = actions.do_release_complete_batches(
            Batch.objects.filter(code__startswith=CODE_PREFIX),
            acting_user=acting_user,
            now=RELEASED_AT,
        )
    if stores and not BatchSample.objects.filter(result="positive").exists():
        summary.update(_trace_one(acting_user, stores[0]))
    summary["batches"] = Batch.objects.count()
    summary["held"] = Batch.objects.exclude(state=BatchState.RELEASED).count()
    return summary
