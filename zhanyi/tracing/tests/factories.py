"""Persons and cases for the tracing tests, written through the product's actions."""

from __future__ import annotations

import datetime as dt
import itertools

from zhanyi.core.audit import SystemActor
from zhanyi.people.models import Person

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
SYSTEM = SystemActor("test")
_numbers = itertools.count(1)


def at(day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A moment in September 2021, local time."""
    return dt.datetime(2021, 9, day, hour, minute, tzinfo=SHANGHAI)


def person(village, name: str | None = None) -> Person:
    n = next(_numbers)
    return Person.objects.create(name=name or f"测试{n}", village=village, phone=f"1380000{n:04d}")


def case(village, *, day: int = 14, acting_user=SYSTEM, **kwargs):
    from zhanyi.tracing.actions import do_create_case

    values = {
        "classification": "confirmed",
        "sampled_at": at(day, 8),
        "reported_at": at(day, 20),
        "onset_date": dt.date(2021, 9, day - 1),
        "isolated_at": at(day, 21),
    }
    values.update(kwargs)
    return do_create_case(acting_user=acting_user, person=person(village), **values)
