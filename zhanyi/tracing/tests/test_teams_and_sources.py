"""Cases assigned to tracing teams (流调队) and their sources of infection (溯源)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from zhanyi.core.audit import AuditEvent
from zhanyi.core.metrics import compute
from zhanyi.teams import actions as team_actions
from zhanyi.teams import work
from zhanyi.teams.models import MemberRole, TeamKind
from zhanyi.tracing import actions, queries
from zhanyi.tracing.models import CaseAssignment, InfectionSource, SourceKind

from .factories import SYSTEM, at, case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def api_for(api_for, settings):
    def make(user):
        api = api_for(user)
        api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return api

    return make


@pytest.fixture
def teams(world):
    """Two county teams of 芗城区 (the tracer leads the first), one of 龙海区."""
    first = team_actions.do_create_team(
        acting_user=SYSTEM, name="芗城区流调一队", kind=TeamKind.COUNTY_TRACING, area=world.county
    )
    second = team_actions.do_create_team(
        acting_user=SYSTEM, name="芗城区流调二队", kind=TeamKind.COUNTY_TRACING, area=world.county
    )
    other = team_actions.do_create_team(
        acting_user=SYSTEM,
        name="龙海区流调队",
        kind=TeamKind.COUNTY_TRACING,
        area=world.other_county,
    )
    team_actions.do_add_member(
        first, acting_user=SYSTEM, role=MemberRole.TRACER, user=world.tracer, leader=True
    )
    return first, second, other


def test_new_cases_go_to_the_least_loaded_team_of_their_area(world, teams):
    first, second, _other = teams
    a = case(world.village)
    b = case(world.village2)
    c = case(world.village)
    assert (a.team, b.team, c.team) == (first, second, first)
    assignment = CaseAssignment.objects.get(case=a)
    assert assignment.automatic
    load = work.workloads([first])[first.pk]
    assert load.open == 2


def test_a_case_without_a_team_in_its_area_waits_unassigned(world):
    assert case(world.village).team is None


def test_the_leader_reassigns_with_a_reason(world, teams):
    first, second, _other = teams
    c = case(world.village)
    actions.do_assign_case(c, second, acting_user=world.tracer, reason="一队满负荷")
    c.refresh_from_db()
    assert c.team == second
    event = AuditEvent.objects.filter(action="case.assign").latest("id")
    assert event.detail["reason"] == "一队满负荷" and event.detail["old_team"] == first.pk


def test_a_reassignment_without_a_reason_is_refused_saying_so(world, teams):
    _first, second, _other = teams
    c = case(world.village)
    with pytest.raises(ValidationError) as error:
        actions.do_assign_case(c, second, acting_user=world.tracer)
    assert "Say why the case moves from 芗城区流调一队" in str(error.value)


def test_a_team_outside_the_cases_area_is_refused_naming_both(world, teams):
    *_, other = teams
    c = case(world.village)
    with pytest.raises(ValidationError) as error:
        actions.do_assign_case(c, other, acting_user=SYSTEM, reason="试")
    message = str(error.value)
    assert "龙海区流调队 works in 龙海区" in message and "outside its area" in message


def test_only_the_leader_of_the_cases_team_reassigns(world, teams):
    first, second, _other = teams
    c = case(world.village2)  # a tie: the first by name
    assert c.team == first
    team_actions.do_set_leader(
        team_actions.do_add_member(second, acting_user=SYSTEM, role=MemberRole.TRACER, name="某"),
        acting_user=SYSTEM,
    )
    other_case = case(world.village)
    assert other_case.team == second
    with pytest.raises(PermissionDenied) as error:
        actions.do_assign_case(other_case, first, acting_user=world.tracer, reason="调回")
    assert "Only the leader of 芗城区流调二队" in str(error.value)


def test_other_county_staff_and_a_leader_cannot_assign(world, teams):
    first, *_ = teams
    c = case(world.village)
    with pytest.raises(PermissionDenied):
        actions.do_assign_case(c, first, acting_user=world.other_county_staff, reason="x")
    with pytest.raises(PermissionDenied):
        actions.do_assign_case(c, first, acting_user=world.leader, reason="x")


def _family(world):
    index = case(world.village, day=14)
    second = case(world.village, day=16)
    third = case(world.village, day=17)
    for source, target in ((index, second), (second, third)):
        actions.do_record_exposure(
            source,
            acting_user=SYSTEM,
            person_a=source.person,
            person_b=target.person,
            setting="household",
            exposed_at=at(13, 20),
        )
    return index, second, third


def test_a_source_case_is_linked_by_their_exposure_and_generations_follow(world):
    index, second, third = _family(world)
    actions.do_record_source(
        second, acting_user=world.tracer, kind="case", source_case=index, evidence="同住"
    )
    actions.do_record_source(
        third, acting_user=world.tracer, kind="case", source_case=second, evidence="同住"
    )
    source = InfectionSource.objects.get(case=second)
    assert source.exposure is not None and source.decided_by_name
    assert queries.infection_generations() == {second.pk: 2, third.pk: 3, index.pk: 1}
    graph = queries.transmission_graph(world.tracer)
    infections = [
        (lk["source"], lk["target"]) for lk in graph["links"] if lk["kind"] == "infection"
    ]
    assert (str(index.person_id), str(second.person_id)) in infections
    assert any(n["name"].endswith("G3") for n in graph["nodes"])


def test_a_source_that_closes_a_cycle_is_refused_naming_the_chain(world):
    index, second, third = _family(world)
    actions.do_record_source(
        second, acting_user=SYSTEM, kind="case", source_case=index, evidence="e"
    )
    actions.do_record_source(
        third, acting_user=SYSTEM, kind="case", source_case=second, evidence="e"
    )
    actions.do_record_exposure(
        index,
        acting_user=SYSTEM,
        person_a=index.person,
        person_b=third.person,
        setting="household",
        exposed_at=at(12, 20),
    )
    with pytest.raises(ValidationError) as error:
        actions.do_record_source(
            index, acting_user=SYSTEM, kind="case", source_case=third, evidence="e"
        )
    chain = f"#{index.pk} ← #{third.pk} ← #{second.pk} ← #{index.pk}"
    assert "closes a cycle" in str(error.value) and chain in str(error.value)


def test_a_source_case_without_a_linking_exposure_is_refused(world):
    index = case(world.village)
    other = case(world.village2)
    with pytest.raises(ValidationError) as error:
        actions.do_record_source(
            other, acting_user=SYSTEM, kind="case", source_case=index, evidence="e"
        )
    assert "No exposure links" in str(error.value)


def test_an_imported_source_needs_its_origin_and_is_drawn_as_a_node(world):
    c = case(world.village)
    with pytest.raises(ValidationError) as error:
        actions.do_record_source(c, acting_user=SYSTEM, kind="travel", evidence="行程卡")
    assert "Say where it came from" in str(error.value)
    actions.do_record_source(
        c, acting_user=SYSTEM, kind="travel", origin="莆田市仙游县", evidence="行程卡"
    )
    graph = queries.transmission_graph(world.tracer)
    assert any(n["name"].endswith("莆田市仙游县") for n in graph["nodes"])


def test_the_source_figures(world):
    index, second, _third = _family(world)
    actions.do_record_source(
        second, acting_user=SYSTEM, kind="case", source_case=index, evidence="e"
    )
    actions.do_record_source(
        index, acting_user=SYSTEM, kind="cold_chain", origin="进口冻品", evidence="e"
    )
    values = {
        f["name"]: f["value"]
        for f in compute(
            ["tracing.known_source", "tracing.linked_to_index", "tracing.unexplained"],
            world.county,
        )
    }
    assert values == {
        "tracing.known_source": 2,
        "tracing.linked_to_index": 1,
        "tracing.unexplained": 1,
    }


# ------------------------------------------------------------------ web, API, command


def test_the_leader_sees_the_teams_cases_and_reassigns_one_on_the_page(world, teams, client_for):
    first, second, _other = teams
    c = case(world.village)
    client = client_for(world.tracer)
    page = client.get(reverse("tracing:home") + f"?team={first.pk}").content.decode()
    assert c.person.name in page and "芗城区流调一队" in page
    refused = client.post(reverse("tracing:case-assign", args=[c.pk]), {"team": second.pk})
    follow = client.get(reverse("tracing:case", args=[c.pk])).content.decode()
    assert refused.status_code == 302 and "Say why the case moves" in follow
    client.post(reverse("tracing:case-assign", args=[c.pk]), {"team": second.pk, "reason": "平衡"})
    c.refresh_from_db()
    assert c.team == second


def test_the_api_assigns_and_records_a_source_and_refuses_another_county(world, teams, api_for):
    first, second, _other = teams
    index, second_case, _third = _family(world)
    api = api_for(world.tracer)
    url = f"/api/v1/tracing/cases/{second_case.pk}/source/"
    done = api.post(
        url, {"kind": "case", "source_case": index.pk, "evidence": "同住"}, format="json"
    )
    assert done.status_code == 200 and done.json()["source_case"] == index.pk
    assert api.get(f"/api/v1/tracing/cases/{second_case.pk}/").json()["infection_source"][
        "kind"
    ] == (SourceKind.CASE)
    other = api_for(world.other_county_staff)
    assert other.post(url, {"kind": "unknown"}, format="json").status_code == 404
    assign = api.post(
        f"/api/v1/tracing/cases/{index.pk}/assign/",
        {"team": second.pk if index.team == first else first.pk},
        format="json",
    )
    assert assign.status_code == 400 and "Say why" in str(assign.json())
    assert api_for(world.leader).post(url, {"kind": "unknown"}, format="json").status_code == 403


def test_the_command_line_assigns_and_records_a_source(world, teams, capsys):
    _first, second, _other = teams
    c = case(world.village)
    call_command("trace", "assign", "--case", str(c.pk), "--team", str(second.pk), "--reason", "r")
    call_command("trace", "source", "--case", str(c.pk), "--kind", "unknown")
    assert InfectionSource.objects.get(case=c).kind == "unknown"
    with pytest.raises(CommandError, match="Say where it came from"):
        call_command("trace", "source", "--case", str(c.pk), "--kind", "travel", "--evidence", "e")
