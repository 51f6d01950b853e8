"""Rounds: the target population, exemptions, schedules, coverage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from zhanyi.testing import actions, queries
from zhanyi.testing.models import RoundTarget

from .factories import SYSTEM, deliver_and_receive, lab, people, person, report, round_, scan, site


def test_a_round_targets_everyone_living_in_its_areas(world):
    a = people(world.village, 3)
    people(world.other_village, 2)
    r = round_([world.county])
    assert set(RoundTarget.objects.filter(round=r).values_list("person_id", flat=True)) == {
        p.pk for p in a
    }
    assert r.area == world.county


def test_a_round_over_two_counties_belongs_to_the_city(world):
    people(world.village, 1)
    people(world.other_village, 1)
    r = round_([world.village, world.other_village])
    assert r.area == world.city
    assert r.targets.count() == 2


def test_a_school_round_targets_the_ages_it_names(world):
    today = timezone.now().date()
    pupil = person(world.village, birth_date=today.replace(year=today.year - 10))
    person(world.village, birth_date=today.replace(year=today.year - 40))
    r = round_([world.village], kind="schools", min_age=6, max_age=18)
    assert list(r.targets.values_list("person_id", flat=True)) == [pupil.pk]


def test_a_round_counts_ages_on_its_first_day_in_china_not_in_utc(world):
    # 07:00 on 20 Sep in Zhangzhou is still 19 Sep in UTC.
    starts = dt.datetime(2021, 9, 20, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    adult = person(world.village, birth_date=dt.date(2003, 9, 20))  # 18 on 20 Sep
    person(world.village, birth_date=dt.date(2003, 9, 21))  # 18 only on the next day
    r = round_(
        [world.village],
        min_age=18,
        starts_at=starts,
        ends_at=starts + dt.timedelta(days=1),
    )
    assert list(r.targets.values_list("person_id", flat=True)) == [adult.pk]


def test_a_pool_size_the_protocol_does_not_allow_is_refused(world):
    with pytest.raises(actions.InputError) as e:
        round_([world.village], pool_size=7)
    assert e.value.problems[0].field == "pool_size"


def test_a_round_that_ends_before_it_starts_is_refused(world):
    now = timezone.now()
    with pytest.raises(actions.InputError, match="end after"):
        round_([world.village], starts_at=now, ends_at=now - dt.timedelta(hours=1))


def test_a_user_cannot_create_a_round_outside_their_county(world):
    with pytest.raises(PermissionDenied):
        actions.do_create_round(
            acting_user=world.tracer,
            name="x",
            kind="whole_population",
            scope_areas=[world.other_village],
            starts_at=timezone.now(),
            ends_at=timezone.now() + dt.timedelta(days=1),
        )


def test_a_leader_cannot_create_a_round(world):
    with pytest.raises(PermissionDenied):
        actions.do_create_round(
            acting_user=world.leader,
            name="x",
            kind="whole_population",
            scope_areas=[world.village],
            starts_at=timezone.now(),
            ends_at=timezone.now() + dt.timedelta(days=1),
        )


def test_coverage_counts_tested_pending_and_exempt_per_area(world):
    v1 = people(world.village, 4)
    v2 = people(world.village2, 3)
    r = round_([world.county], pool_size=5)
    actions.do_set_exempt(r, [v2[2].pk], reason="卧床", acting_user=SYSTEM)
    s = site(world.village)
    lb = lab(world.city)
    scan("T0001", v1[:3] + v2[:1], site=s, round=r)
    scan("T0002", [v1[3]], site=s, round=r)
    deliver_and_receive(s, lb, ["T0001"])
    report(lb, {"T0001": "negative"})
    total, rows = queries.coverage(world.commander, r, level="village")
    assert (total.targets, total.exempt, total.sampled, total.tested) == (7, 1, 5, 4)
    by_code = {row.area.code: row for row in rows}
    assert by_code[world.village.code].tested == 3
    assert by_code[world.village.code].not_sampled == 0
    assert by_code[world.village2.code].due == 1  # one exempt, one tested, one left
    left = queries.not_yet_tested(world.commander, r)
    assert {t.person_id for t in left} == {v1[3].pk, v2[1].pk}


def test_coverage_shows_a_county_only_its_own_part_of_a_city_round(world):
    people(world.village, 2)
    people(world.other_village, 5)
    r = round_([world.city])
    total, _rows = queries.coverage(world.tracer, r)
    assert total.targets == 2
    total, _rows = queries.coverage(world.commander, r)
    assert total.targets == 7


def test_an_exemption_for_someone_outside_the_round_is_refused(world):
    r = round_([world.village])
    stranger = person(world.other_village)
    with pytest.raises(actions.InputError, match="target population"):
        actions.do_set_exempt(r, [stranger.pk], reason="x", acting_user=SYSTEM)


def test_a_schedule_makes_one_round_per_period_and_running_it_again_adds_none(world):
    people(world.village, 2)
    start = timezone.now() - dt.timedelta(hours=1)
    sched = actions.do_create_schedule(
        acting_user=SYSTEM,
        name="港口工人",
        kind="key_groups",
        scope_areas=[world.village],
        every_days=2,
        starts_at=start,
        ends_at=start + dt.timedelta(days=7),
        pool_size=5,
    )
    made = actions.do_run_schedule(sched, until=start + dt.timedelta(days=5), acting_user=SYSTEM)
    assert [r.number for r in made] == [1, 2, 3]
    assert made[1].starts_at == start + dt.timedelta(days=2)
    assert all(r.targets.count() == 2 for r in made)
    again = actions.do_run_schedule(sched, until=start + dt.timedelta(days=5), acting_user=SYSTEM)
    assert again == []
