"""A zone in force drives the health codes and the testing schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhanyi.engine.codes.rules import CodeRules, decide
from zhanyi.handoffs.models import Handoff, HandoffKind
from zhanyi.people.health_facts import gather
from zhanyi.people.models import HealthCode
from zhanyi.zones import actions
from zhanyi.zones.rules import protocol

from .factories import compound, resident, zone

pytestmark = pytest.mark.django_db


def test_sealed_residents_get_home_quarantine_and_daily_tests(world):
    place = compound(world.village)
    inside = [resident(world.village, n, place) for n in ("甲", "乙", "丙")]
    outside = resident(world.village, "丁")
    start = timezone.now() - dt.timedelta(hours=1)
    z = zone("sealed", places=[place])
    assert gather([p.pk for p in inside], timezone.now())[inside[0].pk].quarantines == ()
    actions.do_approve_zone(z, acting_user=world.commander, starts_at=start)
    facts = gather([p.pk for p in [*inside, outside]], timezone.now())
    assert [q.kind for q in facts[inside[0].pk].quarantines] == ["home"]
    assert facts[outside.pk].quarantines == ()
    rules = CodeRules.from_protocol(protocol())
    decision = decide(facts[inside[0].pk], rules, timezone.now())
    assert (decision.colour, decision.rule) == ("red", "quarantine.home")
    code = HealthCode.objects.get(person=inside[0])
    assert code.colour == "red"
    tests = Handoff.objects.filter(kind=HandoffKind.TEST, origin=f"zones.zone:{z.pk}")
    assert sorted(tests.values_list("person_id", flat=True)) == sorted(p.pk for p in inside)
    schedule = tests.first().detail["tests"]
    assert len(schedule) == protocol().zones.sealed.days_without_case  # every day
    assert tests.first().to_task_force == "testing"


def test_a_sealed_zone_without_a_negative_round_cannot_step_down(world):
    place = compound(world.village)
    resident(world.village, "甲", place)
    start = timezone.now() - dt.timedelta(days=15)
    z = zone("sealed", places=[place], now=start)
    actions.do_approve_zone(z, acting_user=world.commander, starts_at=start, now=start)
    # The countdown has run out, but no resident has tested negative.
    assert actions.do_flag_ready_zones(acting_user=world.commander) == 0
    with pytest.raises(ValidationError) as refused:
        actions.do_step_down_zone(z, acting_user=world.commander, reason="14天无新增")
    assert "1 more resident(s) tested negative" in refused.value.message_dict["state"][0]
    z.refresh_from_db()
    assert z.tier == "sealed" and z.ready_since is None
