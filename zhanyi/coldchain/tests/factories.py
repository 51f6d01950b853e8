"""Stores, batches and people made through the cold-chain app's actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from zhanyi.coldchain import actions
from zhanyi.coldchain.models import DOCUMENTS, Batch, ColdStore
from zhanyi.core.audit import cli_actor
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.people.models import Person

ACTOR = cli_actor()
ARRIVED = dt.datetime(2021, 9, 14, 8, tzinfo=LOCAL_TZ)
ALL_DOCUMENTS = {name: f"{name[:2].upper()}-001" for name in DOCUMENTS}


def store(area, name="芗城冷库") -> ColdStore:
    return actions.do_create_store(acting_user=ACTOR, name=name, area=area)


def batch(s: ColdStore, code="CC001", *, documents=None, tonnes="12.5") -> Batch:
    return actions.do_create_batch(
        acting_user=ACTOR,
        code=code,
        product="冷冻猪肉",
        origin_country="巴西",
        weight_tonnes=Decimal(tonnes),
        store=s,
        arrived_at=ARRIVED,
        documents=ALL_DOCUMENTS if documents is None else documents,
    )


def released(s: ColdStore, code="CC001") -> Batch:
    return actions.do_release_batch(
        batch(s, code), acting_user=ACTOR, now=ARRIVED + dt.timedelta(days=1)
    )


def person(village, name) -> Person:
    return Person.objects.create(name=name, village=village)
