"""Sites, rooms and people waiting, made through the app's actions."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhanyi.core.audit import cli_actor
from zhanyi.people.models import Household, Person
from zhanyi.quarantine import actions
from zhanyi.quarantine.models import Site

ACTOR = cli_actor()


def site(area, name="隔离酒店", *, singles=4, families=1, lon=117.65, lat=24.51, state="active"):
    s = actions.do_create_site(
        acting_user=ACTOR, name=name, area=area, lon=lon, lat=lat, state=state
    )
    if singles:
        actions.do_add_rooms(
            s, [f"1{i:02d}" for i in range(singles)], capacity=1, acting_user=ACTOR
        )
    if families:
        actions.do_add_rooms(
            s, [f"2{i:02d}" for i in range(families)], capacity=3, acting_user=ACTOR
        )
    return Site.objects.get(pk=s.pk)


def person(village, name, *, age=30, household=None):
    born = timezone.now().date() - dt.timedelta(days=int(365.25 * age) + 10)
    return Person.objects.create(name=name, village=village, birth_date=born, household=household)


def household(village, address="芗城区某路1号"):
    return Household.objects.create(address=address, village=village)


def waiting(p, *, kind="close", identified_at=None):
    return actions.do_add_to_queue(p, kind=kind, identified_at=identified_at, acting_user=ACTOR)
