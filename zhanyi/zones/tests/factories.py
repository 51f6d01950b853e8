"""Places, households and zones for the zones app's tests, made through actions."""

from __future__ import annotations

from zhanyi.core.audit import cli_actor
from zhanyi.people.models import Household, Person
from zhanyi.places.models import Place, PlaceKind
from zhanyi.zones import actions

ACTOR = cli_actor()


def compound(village, name="万益学府花园") -> Place:
    return Place.objects.create(name=name, kind=PlaceKind.RESIDENTIAL_COMPOUND, area=village)


def resident(village, name, place=None) -> Person:
    home = Household.objects.create(address=f"{village.name}{name}家", village=village, place=place)
    return Person.objects.create(name=name, village=village, household=home)


def zone(tier, *, areas=(), places=(), by=ACTOR, name="测试区域", now=None):
    return actions.do_propose_zone(
        tier=tier,
        name=name,
        reason="病例居住地",
        areas=areas,
        places=places,
        acting_user=by,
        now=now,
    )
