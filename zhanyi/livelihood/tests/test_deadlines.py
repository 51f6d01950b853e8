"""Special care's follow-up deadline in the supervision ledger (督导台账):
listed while overdue, closed by a follow-up, the next due a protocol's day later."""

from __future__ import annotations

import datetime as dt

import pytest

from zhanyi.core import deadlines
from zhanyi.livelihood import actions
from zhanyi.livelihood.models import CareKind

from .factories import home

pytestmark = pytest.mark.django_db


def _items(area, now):
    return deadlines.overdue(area, now, names=["livelihood.care_follow_up"])


def test_a_care_past_its_follow_up_is_overdue_until_followed_up(world):
    _household, person = home(world.village)
    start = dt.datetime(2021, 9, 14, 9, 0, tzinfo=dt.UTC)
    care = actions.do_add_care(
        person, kind=CareKind.ELDERLY_ALONE, acting_user=world.village_member, now=start
    )
    later = start + dt.timedelta(hours=3)
    [item] = _items(world.city, later)
    assert item.due_at == start and item.closed_at is None
    assert item.whose == "王**" and item.area == world.village
    assert item.link.endswith(f"/care/{care.pk}/")
    assert deadlines.owner_of(item) == "logistics"
    assert _items(world.other_county, later) == []
    # Before it was added, nothing was due.
    assert _items(world.city, start - dt.timedelta(hours=1)) == []
    actions.do_follow_up(care, note="电话问候", acting_user=world.village_member, now=later)
    assert _items(world.city, later + dt.timedelta(hours=23)) == []
    # The next follow-up is due the protocol's day later.
    [again] = _items(world.county, later + dt.timedelta(days=1, hours=2))
    assert again.due_at == later + dt.timedelta(days=1)
    ended = later + dt.timedelta(days=1, hours=3)
    actions.do_follow_up(
        care, note="搬去子女家", close=True, acting_user=world.village_member, now=ended
    )
    assert _items(world.city, ended + dt.timedelta(days=3)) == []
