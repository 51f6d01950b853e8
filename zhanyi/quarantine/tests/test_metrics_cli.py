from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from zhanyi.core.metrics import compute
from zhanyi.quarantine import actions
from zhanyi.quarantine.models import Placement, PlacementState

from .factories import person, site, waiting

pytestmark = pytest.mark.django_db


def _figures(area):
    return {
        f["name"]: f["value"] for f in compute(None, area) if f["name"].startswith("quarantine.")
    }


def test_the_figures_follow_the_actions(world):
    s = site(world.county, singles=3, families=1)
    a, b = person(world.village, "甲"), person(world.village, "乙")
    waiting(a)
    waiting(b)
    before = _figures(world.county)
    assert before["quarantine.waiting"] == 2 and before["quarantine.rooms_vacant"] == 4
    proposals, _ = actions.do_plan_placements(acting_user=world.commander)
    actions.do_confirm_placements(proposals[:1], acting_user=world.commander)
    after = _figures(world.county)
    assert after["quarantine.waiting"] == 1
    assert after["quarantine.in_quarantine"] == 1
    assert after["quarantine.occupancy"] == 25.0
    assert after["quarantine.placed_within_deadline"] == 100.0
    assert _figures(world.other_county)["quarantine.in_quarantine"] == 0
    assert s.rooms.count() == 4


def test_the_longest_wait_runs_from_when_the_contact_was_found(world):
    """Not from when the row was written: a contact found five hours ago and
    entered now has waited five hours (the demo's story, written today about
    2021, showed minus 45,000 hours)."""
    assert _figures(world.county)["quarantine.oldest_wait_hours"] == 0.0
    waiting(person(world.village, "甲"), identified_at=timezone.now() - dt.timedelta(hours=5))
    waiting(person(world.village, "乙"), identified_at=timezone.now() - dt.timedelta(hours=1))
    assert _figures(world.county)["quarantine.oldest_wait_hours"] == pytest.approx(5.0, abs=0.1)
    assert _figures(world.other_county)["quarantine.oldest_wait_hours"] == 0.0


def test_the_command_line_makes_a_site_plans_and_confirms(world):
    out = StringIO()
    call_command(
        "quarantine",
        "site",
        "create",
        "宾馆",
        "--area",
        world.county.code,
        "--lon",
        "117.65",
        "--lat",
        "24.51",
        stdout=out,
    )
    site_id = int(out.getvalue().split()[1])
    call_command("quarantine", "rooms", "add", str(site_id), "101", "110", stdout=out)
    p = person(world.village, "甲")
    call_command("quarantine", "queue", "add", str(p.pk), stdout=out)
    out = StringIO()
    call_command("quarantine", "plan", stdout=out)
    assert json.loads(out.getvalue())["proposed"] == 1
    call_command("quarantine", "confirm", stdout=out)
    assert Placement.objects.get(person=p).state == PlacementState.PLACED
    out = StringIO()
    call_command("quarantine", "capacity", stdout=out)
    assert "rooms 10" in out.getvalue()


def test_the_command_line_refuses_a_release_in_one_line(world):
    s = site(world.county)
    placement = actions.do_place(
        waiting(person(world.village, "甲")), s.rooms.first(), acting_user=world.tracer
    )
    with pytest.raises(CommandError) as refused:
        call_command("quarantine", "release", str(placement.pk))
    assert "days of quarantine end then" in str(refused.value)


def test_people_past_the_deadline_are_counted_until_placed(world):
    site(world.county, singles=2, families=0)
    late, fresh = person(world.village, "迟"), person(world.village, "新")
    waiting(late, identified_at=timezone.now() - dt.timedelta(hours=9))
    waiting(fresh)
    assert _figures(world.county)["quarantine.overdue"] == 1
    assert _figures(world.other_county)["quarantine.overdue"] == 0
    proposals, _ = actions.do_plan_placements(acting_user=world.commander)
    assert _figures(world.county)["quarantine.overdue"] == 1  # a proposal is not a room yet
    actions.do_confirm_placements(
        [p for p in proposals if p.person_id == late.pk], acting_user=world.commander
    )
    assert _figures(world.county)["quarantine.overdue"] == 0
