from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from zhanyi.core import metrics
from zhanyi.core.audit import SystemActor
from zhanyi.workforce.demo import replay_workforce
from zhanyi.workforce.models import RosterEntry

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_the_replay_gives_the_articles_figures_once(world):
    actor = SystemActor("demo-test")
    summary = replay_workforce(acting_user=actor, village=world.village)
    figure = {
        n: metrics.get(f"workforce.{n}").fn(None)
        for n in (
            "health_workers",
            "sampling_medics",
            "volunteer_person_times",
            "cadres",
            "police",
            "party_branches",
            "party_posts",
            "aid_sent",
        )
    }
    assert figure == {
        "health_workers": 1_621,
        "sampling_medics": 980,
        "volunteer_person_times": 370_000,
        "cadres": 18_214,
        "police": 10_472,
        "party_branches": 457,
        "party_posts": 5_790,
        "aid_sent": 2_000,
    }
    assert summary["roster"] == {"stored": 7, "warnings": 1, "errors": 0}
    assert RosterEntry.objects.count() == 7
    again = replay_workforce(acting_user=actor, village=world.village)
    assert again == {"deployments_made": 0, "branches_made": 0, "teams_made": 0, "roster": {}}


def test_the_command_line_deploys_and_prints_the_figures(world):
    out = io.StringIO()
    call_command(
        "workforce",
        "deploy",
        "police",
        "--area",
        world.village.code,
        "--headcount",
        "12",
        stdout=out,
    )
    assert "× 12 in 东铺头社区" in out.getvalue()
    with pytest.raises(CommandError, match="A headcount is a whole number"):
        call_command(
            "workforce", "deploy", "police", "--area", world.village.code, "--headcount", "0"
        )
    figures = io.StringIO()
    call_command("workforce", "figures", "--json", stdout=figures)
    assert json.loads(figures.getvalue())["workforce.police"] == 12
