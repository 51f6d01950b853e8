"""The figures (from checks made by the actions) and the command line."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from zhanyi.checkpoints import metrics
from zhanyi.checkpoints.models import Station

from .factories import check, station

pytestmark = pytest.mark.django_db


def test_the_figures_count_checks_and_turn_backs_in_the_area(world, zones):
    st = station(world.county)
    zones[world.village.path] = "controlled"
    check(st, people=3, origin_area=world.village, origin_city="")  # turned back
    check(st, people=2, test_age_hours=5)  # passes
    other = station(world.other_county, name="龙海卡口")
    check(other, people=9, test_age_hours=5)
    assert metrics.vehicles_checked(world.county) == 2
    assert metrics.people_checked(world.county) == 5
    assert metrics.vehicles_turned_back(world.county) == 1
    assert metrics.people_turned_back(world.county) == 3
    assert metrics.people_checked(world.city) == 14
    assert metrics.stations(world.county) == 1


def test_the_command_line_adds_lists_and_counts(world):
    out = StringIO()
    call_command(
        "checkpoints",
        "stations",
        "add",
        "漳州北站",
        "--kind",
        "rail_station",
        "--area",
        "350602",
        stdout=out,
    )
    assert "漳州北站 (Rail station)" in out.getvalue()
    with pytest.raises(CommandError, match="has a checkpoint named 漳州北站 already"):
        call_command(
            "checkpoints", "stations", "add", "漳州北站", "--kind", "road", "--area", "350602"
        )
    st = Station.objects.get(name="漳州北站")
    check(st, people=4, code_colour="red")
    out = StringIO()
    call_command("checkpoints", "stations", "list", "--json", stdout=out)
    [row] = json.loads(out.getvalue())
    assert row["vehicles"] == 1 and row["kind"] == "rail_station"
    out = StringIO()
    call_command("checkpoints", "figures", "--by", "kind", stdout=out)
    assert "rail_station  vehicles 1  people 4" in out.getvalue()
    out = StringIO()
    call_command("checkpoints", "overdue", stdout=out)
    assert "0 vessel(s) flagged overdue" in out.getvalue()
