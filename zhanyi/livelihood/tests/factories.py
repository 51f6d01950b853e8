"""Small data for the livelihood tests, made through the app's actions."""

from __future__ import annotations

from zhanyi.core.audit import SystemActor
from zhanyi.livelihood import actions
from zhanyi.people.models import Household, Person

SYSTEM = SystemActor("test")


def store(area, name: str = "平价超市", kind: str = "affordable_store"):
    return actions.do_add_facility(name=name, kind=kind, area=area, acting_user=SYSTEM)


def home(village, address: str = "万益学府花园3栋101", name: str = "王大妈"):
    household = Household.objects.create(village=village, address=address)
    person = Person.objects.create(name=name, village=village, household=household)
    return household, person


def good(name: str = "大米", unit: str = "kg", price: str = "5.00"):
    return actions.do_set_reference_price(name=name, unit=unit, price=price, acting_user=SYSTEM)
