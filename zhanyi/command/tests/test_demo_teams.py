"""The demo's teams (issue 23): from the replay, a county team leader sees its
cases and reassigns one; the five-to-one member's phone shows the control list
first and closes an item; the chain graph shows the family cluster's source."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from zhanyi.accounts.models import User
from zhanyi.command import demo
from zhanyi.handoffs.models import HandoffKind, HandoffStatus
from zhanyi.teams.models import ControlRecord, Team
from zhanyi.tracing.models import Case, InfectionSource

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_replay_names_the_teams_assigns_the_cases_closes_control_and_traces_the_source(
    settings, tmp_path, client
):
    settings.DATA_DIR = tmp_path
    demo.build_demo(scale="1500", seed=7, say=lambda s: None)
    tracer = User.objects.get(username="tracer")
    first = Team.objects.get(name="台商投资区流调一队")
    assert first.members.get(is_leader=True).user == tracer
    assert Team.objects.get(name="福龙社区五包一").members.count() == 5
    cases = list(Case.objects.order_by("pk"))
    assert all(c.team is not None for c in cases)
    relatives = InfectionSource.objects.filter(source_case=cases[0])
    assert relatives.count() == 2 and all(s.exposure_id for s in relatives)
    assert ControlRecord.objects.exclude(measure="").exists()

    with translation.override("en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        # The county team leader sees its cases and moves one to the second team.
        client.force_login(tracer)
        mine = client.get(reverse("tracing:home") + f"?team={first.pk}").content.decode()
        case = next(c for c in cases if c.team_id == first.pk)
        assert case.person.name in mine
        second = Team.objects.get(name="台商投资区流调二队")
        client.post(
            reverse("tracing:case-assign", args=[case.pk]),
            {"team": second.pk, "reason": "一队夜间无人值守"},
        )
        case.refresh_from_db()
        assert case.team == second
        # The chain graph draws the family's infection edges.
        graph = client.get(reverse("tracing:graph-data")).json()
        infections = [lk for lk in graph["links"] if lk["kind"] == "infection"]
        assert {lk["source"] for lk in infections} == {str(cases[0].person_id)}

        # The five-to-one member's phone: the control list first, and one closed.
        member = User.objects.get(username="fivetoone")
        client.force_login(member)
        landing = client.get(reverse("accounts:landing"), follow=True).content.decode()
        assert landing.index("Put under control first") < landing.index("Screening tasks</h1>")
        from zhanyi.teams import queries

        handoff = queries.controls_for(member).first()
        assert handoff is not None and handoff.kind == HandoffKind.CONTROL
        client.post(reverse("teams:control", args=[handoff.pk]), {"measure": "home"})
        handoff.refresh_from_db()
        assert handoff.status == HandoffStatus.DONE
