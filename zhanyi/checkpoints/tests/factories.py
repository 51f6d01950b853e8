"""Stations and checks, made through the app's actions."""

from __future__ import annotations

import uuid

from zhanyi.checkpoints import actions
from zhanyi.core.audit import cli_actor

ACTOR = cli_actor()


def station(area, name="市界查验站", kind="city_border"):
    return actions.do_create_station(acting_user=ACTOR, name=name, kind=kind, area=area)


def check(st, *, user=ACTOR, client_id=None, **fields):
    values = {
        "plate": "闽E12345",
        "people": 2,
        "code_colour": "green",
        "origin_city": "厦门市",
        "destination": "芗城区",
        **fields,
    }
    data = actions.CheckInput(client_id=client_id or uuid.uuid4(), **values)
    return actions.do_record_check(st, data, acting_user=user)[0]
