"""The zones in force over area paths: the prepared statement
(``zones.fastpath.tiers``) answers as the ORM query it replaced."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhanyi.zones import actions
from zhanyi.zones.fastpath import tiers
from zhanyi.zones.models import Zone
from zhanyi.zones.risk_tiers import in_force_at

from .factories import zone

pytestmark = pytest.mark.django_db


def _orm(paths: list[str], at: dt.datetime) -> list[tuple]:
    return list(
        Zone.areas.through.objects.filter(zone__in=Zone.objects.filter(in_force_at(at)))
        .filter(area__path__in=paths)
        .values_list("area__path", "zone_id", "zone__tier", "zone__name", "zone__starts_at")
    )


def test_the_statement_finds_the_zones_the_orm_query_finds(world):
    now = timezone.now()
    wide = zone("prevention", areas=[world.city], name="宽")
    narrow = zone("sealed", areas=[world.village], name="窄")
    zone("controlled", areas=[world.county])  # proposed only: no effect
    later = zone("controlled", areas=[world.village], name="后")
    lifted = zone("prevention", areas=[world.village2], name="解")
    actions.do_approve_zone(wide, acting_user=world.commander, starts_at=now - dt.timedelta(days=3))
    actions.do_approve_zone(
        narrow, acting_user=world.commander, starts_at=now - dt.timedelta(days=1)
    )
    actions.do_approve_zone(
        later, acting_user=world.commander, starts_at=now + dt.timedelta(days=1)
    )
    actions.do_approve_zone(
        lifted, acting_user=world.commander, starts_at=now - dt.timedelta(days=30)
    )
    actions.do_lift_zone(lifted, acting_user=world.commander, reason="解除", now=now)
    paths = [a.path for a in (world.city, world.county, world.village, world.village2)]
    for at in (
        now,
        now - dt.timedelta(hours=36),
        now - dt.timedelta(days=10),
        now + dt.timedelta(days=2),
    ):
        expected = sorted(_orm(paths, at))
        assert sorted(tiers.zones_over(paths, at)) == expected
    # The answer changes with the data at once: nothing is kept between calls.
    assert {row[1] for row in tiers.zones_over(paths, now - dt.timedelta(days=10))} == {lifted.pk}
    assert {row[1] for row in tiers.zones_over(paths, now)} == {wide.pk, narrow.pk}
    assert tiers.zones_over([], now) == []
