"""Clinics, pharmacies and people, made through the app's actions."""

from __future__ import annotations

import datetime as dt

from zhanyi.clinics import actions
from zhanyi.core.audit import cli_actor
from zhanyi.engine.identity import check_char
from zhanyi.people.models import Person

ACTOR = cli_actor()


def clinic(area, name="芗城区医院发热门诊", *, rooms=3, kind="fever_clinic"):
    return actions.do_create_clinic(
        acting_user=ACTOR, name=name, kind=kind, area=area, address="胜利西路1号", rooms=rooms
    )


def id_number(birth: dt.date, seq: int) -> str:
    body = f"350602{birth:%Y%m%d}{seq:03d}"
    return body + check_char(body)


def person(village, name="张三丰", *, seq=1, phone=""):
    born = dt.date(1980, 1, 1)
    return Person.objects.create(
        name=name,
        village=village,
        birth_date=born,
        identity_number=id_number(born, seq),
        phone=phone,
    )


def pharmacy(area, name="东铺头大药房"):
    return actions.do_create_pharmacy(acting_user=ACTOR, name=name, area=area)
