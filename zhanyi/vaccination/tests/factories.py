"""Vaccines, sites and people, made through the app's actions."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhanyi.core.audit import cli_actor
from zhanyi.engine.identity import check_char
from zhanyi.people.models import Person
from zhanyi.vaccination import actions

ACTOR = cli_actor()


def vaccines():
    return {
        "bbibp": actions.do_add_vaccine(
            acting_user=ACTOR,
            code="bbibp",
            name="新冠病毒灭活疫苗(Vero细胞)",
            maker="北京生物",
            aliases=["国药北京"],
        ),
        "ad5": actions.do_add_vaccine(
            acting_user=ACTOR, code="ad5", name="重组新冠病毒疫苗(5型腺病毒载体)", maker="康希诺"
        ),
    }


def site(area, name="东铺头接种点", kind="fixed"):
    return actions.do_create_site(acting_user=ACTOR, name=name, area=area, kind=kind)


def id_number(birth: dt.date, seq: int) -> str:
    body = f"350602{birth:%Y%m%d}{seq:03d}"
    return body + check_char(body)


def person(village, name, *, age=30, seq=1):
    born = timezone.now().date().replace(month=1, day=1) - dt.timedelta(days=int(365.25 * age))
    return Person.objects.create(
        name=name, village=village, birth_date=born, identity_number=id_number(born, seq)
    )


def days_ago(n: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n)
