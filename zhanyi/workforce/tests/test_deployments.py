from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhanyi.core import metrics
from zhanyi.core.models import AuditEvent
from zhanyi.workforce import actions
from zhanyi.workforce.models import Direction, ForceKind

pytestmark = pytest.mark.django_db


def test_figures_count_the_headcount_in_force_by_kind_and_area(world):
    actions.do_deploy(area=world.village, kind="sampling", headcount=40, acting_user=world.tracer)
    actions.do_deploy(area=world.village, kind="clinic", headcount=5, acting_user=world.tracer)
    ended = actions.do_deploy(
        area=world.village, kind="police", headcount=7, acting_user=world.tracer
    )
    actions.do_deploy(
        area=world.other_village, kind="sampling", headcount=9, acting_user=world.other_county_staff
    )
    actions.do_end_deployment(
        ended, acting_user=world.tracer, now=timezone.now() + dt.timedelta(seconds=1)
    )
    assert metrics.get("workforce.health_workers").fn(world.county) == 45
    assert metrics.get("workforce.sampling_medics").fn(None) == 49
    assert metrics.get("workforce.police").fn(world.county) == 7  # ends a second from now
    event = AuditEvent.objects.filter(action="workforce.deploy").order_by("pk").first()
    assert event.detail["headcount"] == 40 and event.area_path == world.village.path


def test_volunteer_person_times_count_each_day_of_a_deployment(world):
    since = dt.datetime(2021, 9, 11, tzinfo=dt.UTC)
    actions.do_deploy(
        area=world.village,
        kind="volunteer",
        headcount=100,
        since=since,
        until=since + dt.timedelta(days=20),
        acting_user=world.tracer,
    )
    assert metrics.get("workforce.volunteer_person_times").fn(world.county) == 2_000
    assert metrics.get("workforce.volunteers").fn(world.county) == 0  # stood down since


def test_a_headcount_that_is_not_one_is_refused_saying_so(world):
    with pytest.raises(ValidationError) as refused:
        actions.do_deploy(area=world.village, kind="cadre", headcount=0, acting_user=world.tracer)
    assert refused.value.messages == ["A headcount is a whole number from 1 to 100,000, not 0."]
    with pytest.raises(ValidationError) as refused:
        actions.do_deploy(area=world.village, kind="army", headcount=3, acting_user=world.tracer)
    assert refused.value.messages == ["Unknown kind of force: army."]


def test_another_county_and_a_leader_are_refused(world):
    with pytest.raises(PermissionDenied):
        actions.do_deploy(
            area=world.village, kind="cadre", headcount=3, acting_user=world.other_county_staff
        )
    with pytest.raises(PermissionDenied):
        actions.do_deploy(area=world.village, kind="cadre", headcount=3, acting_user=world.leader)


def test_a_team_arrives_and_goes_home_and_is_counted_meanwhile(world):
    team = actions.do_register_team(
        name="厦门支援队",
        direction=Direction.ARRIVING,
        kind=ForceKind.SAMPLING,
        headcount=300,
        counterpart="厦门市",
        area=world.county,
        acting_user=world.tracer,
    )
    with pytest.raises(ValidationError) as refused:
        actions.do_move_team(team, step="end", acting_user=world.tracer)
    assert refused.value.messages == [
        "厦门支援队 is not out in the field: it has not started, or has ended."
    ]
    start = timezone.now() - dt.timedelta(days=3)
    actions.do_move_team(team, step="start", now=start, acting_user=world.tracer)
    assert metrics.get("workforce.aid_arrived").fn(world.county) == 300
    assert metrics.get("workforce.aid_sent").fn(world.county) == 0
    actions.do_move_team(team, step="end", acting_user=world.tracer)
    assert metrics.get("workforce.aid_arrived").fn(world.county) == 0
    assert AuditEvent.objects.filter(action="workforce.team.end", actor=world.tracer).exists()


def test_branches_and_their_posts_are_counted_and_a_name_twice_refused(world):
    actions.do_add_branch(
        name="东铺头临时党支部", area=world.village, posts=12, acting_user=world.tracer
    )
    actions.do_add_branch(
        name="南昌临时党支部", area=world.village2, posts=13, acting_user=world.tracer
    )
    assert metrics.get("workforce.party_branches").fn(world.county) == 2
    assert metrics.get("workforce.party_posts").fn(world.county) == 25
    with pytest.raises(ValidationError) as refused:
        actions.do_add_branch(name="东铺头临时党支部", area=world.village, acting_user=world.tracer)
    assert refused.value.messages == ["东铺头社区 has a branch named 东铺头临时党支部 already."]
