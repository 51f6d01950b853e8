"""Teams, members, training and the control list (先管后筛): actions, pages, API, command."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from zhanyi.accounts.models import TaskForceKind
from zhanyi.core.audit import AuditEvent, cli_actor
from zhanyi.core.metrics import compute
from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus
from zhanyi.people.models import Person
from zhanyi.teams import actions
from zhanyi.teams.models import ControlMeasure, ControlRecord, MemberRole, TeamKind

pytestmark = pytest.mark.django_db
ACTOR = cli_actor()


def five_to_one(world, village=None):
    team = actions.do_create_team(
        acting_user=ACTOR,
        name="东铺头五包一",
        kind=TeamKind.FIVE_TO_ONE,
        area=village or world.village,
    )
    for role, name in zip(
        [
            MemberRole.TOWNSHIP_CADRE,
            MemberRole.VILLAGE_CADRE,
            MemberRole.MEDIC,
            MemberRole.GRID_WORKER,
            MemberRole.POLICE,
        ],
        ["王街道", "李社区", "陈医生", "林网格", "黄民警"],
        strict=True,
    ):
        actions.do_add_member(team, acting_user=ACTOR, role=role, name=name)
    actions.do_add_member(
        team, acting_user=ACTOR, role=MemberRole.GRID_WORKER, user=world.village_member, leader=True
    )
    return team


def control(world, name="陈建国", *, village=None, hours=2):
    village = village or world.village
    person = Person.objects.create(name=name, village=village, phone="13905961001")
    now = timezone.now()
    do_create_handoffs(
        [
            HandoffSpec(
                key=f"test.contact:{person.pk}:control",
                kind=HandoffKind.CONTROL,
                person_id=person.pk,
                area_id=village.pk,
                from_task_force=TaskForceKind.INVESTIGATION,
                to_task_force=TaskForceKind.COMMUNITY,
                origin=f"test.contact:{person.pk}",
                due_at=now + dt.timedelta(hours=hours),
            )
        ],
        acting_user=ACTOR,
    )
    return Handoff.objects.get(key=f"test.contact:{person.pk}:control")


# ------------------------------------------------------------------ teams


def test_a_five_to_one_team_has_its_five_and_a_leader(world):
    team = five_to_one(world)
    assert team.members.count() == 6
    assert team.members.get(is_leader=True).user == world.village_member
    assert AuditEvent.objects.filter(action="teams.member.add").count() == 6


def test_a_five_to_one_team_refuses_a_tracer_saying_who_it_is_made_of(world):
    team = five_to_one(world)
    with pytest.raises(ValidationError) as error:
        actions.do_add_member(team, acting_user=ACTOR, role=MemberRole.TRACER, name="某人")
    assert "township cadre, a village cadre, a medic" in str(error.value)
    assert "Tracer is none of them" in str(error.value)


def test_a_county_team_is_refused_in_a_village_saying_where_it_works(world):
    with pytest.raises(ValidationError) as error:
        actions.do_create_team(
            acting_user=ACTOR, name="队", kind=TeamKind.COUNTY_TRACING, area=world.village
        )
    assert "County tracing team works in a County or district" in str(error.value)
    assert world.village.name in str(error.value)


def test_a_person_can_be_in_several_teams_and_a_new_leader_replaces_the_old(world):
    first = five_to_one(world)
    second = actions.do_create_team(
        acting_user=ACTOR, name="协查员", kind=TeamKind.TRACING_ASSISTANTS, area=world.village
    )
    actions.do_add_member(
        second, acting_user=ACTOR, role=MemberRole.ASSISTANT, user=world.village_member
    )
    assert world.village_member.team_memberships.count() == 2
    new = first.members.get(name="陈医生")
    actions.do_set_leader(new, acting_user=ACTOR)
    assert list(first.members.filter(is_leader=True)) == [new]


def test_training_is_recorded_and_a_future_one_refused(world):
    team = five_to_one(world)
    member = team.members.get(name="陈医生")
    actions.do_record_training(
        member, acting_user=ACTOR, course="流调培训", taken_on=dt.date(2021, 9, 12), passed=True
    )
    assert member.trainings.get().passed
    with pytest.raises(ValidationError) as error:
        actions.do_record_training(
            member,
            acting_user=ACTOR,
            course="流调培训",
            taken_on=timezone.localdate() + dt.timedelta(days=3),
            passed=True,
        )
    assert "cannot be recorded before it happens" in str(error.value)


def test_other_county_staff_cannot_make_a_team_here_and_a_leader_cannot_at_all(world):
    with pytest.raises(PermissionDenied):
        actions.do_create_team(
            acting_user=world.other_county_staff,
            name="队",
            kind=TeamKind.FIVE_TO_ONE,
            area=world.village,
        )
    with pytest.raises(PermissionDenied):
        actions.do_create_team(
            acting_user=world.leader, name="队", kind=TeamKind.FIVE_TO_ONE, area=world.village
        )


# ------------------------------------------------------------------ control list


def test_closing_a_control_task_keeps_the_measure_and_its_time(world):
    handoff = control(world)
    at = timezone.now() - dt.timedelta(minutes=30)
    actions.do_close_control(
        handoff, acting_user=world.village_member, measure=ControlMeasure.HOME, measured_at=at
    )
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.DONE
    record = ControlRecord.objects.get(handoff=handoff)
    assert (record.measure, record.measured_at) == (ControlMeasure.HOME, at)
    event = AuditEvent.objects.get(action="teams.control.close")
    assert event.detail["measure"] == "home" and event.detail["late"] is False


def test_a_close_without_a_measure_is_refused_saying_what_is_missing(world):
    handoff = control(world)
    with pytest.raises(ValidationError) as error:
        actions.do_close_control(handoff, acting_user=world.village_member, measure="")
    assert "A control task is not closed without one" in str(error.value)
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.OPEN


def test_asking_for_centralised_quarantine_hands_a_transfer_to_quarantine(world):
    handoff = control(world)
    actions.do_close_control(
        handoff, acting_user=world.village_member, measure=ControlMeasure.CENTRALISED_REQUESTED
    )
    transfer = Handoff.objects.get(person_id=handoff.person_id, kind=HandoffKind.TRANSFER)
    assert transfer.status == HandoffStatus.OPEN
    assert transfer.to_task_force == TaskForceKind.TRANSFER
    assert transfer.origin == handoff.origin


def test_a_control_task_of_another_county_is_refused(world):
    handoff = control(world, village=world.other_village)
    with pytest.raises(PermissionDenied):
        actions.do_close_control(
            handoff, acting_user=world.village_member, measure=ControlMeasure.HOME
        )


def test_overdue_control_tasks_escalate_to_the_township_once(world):
    late = control(world, hours=-1)
    control(world, "林秀英", hours=1)
    assert actions.do_escalate_overdue_controls(acting_user=ACTOR) == 1
    record = ControlRecord.objects.get(handoff=late)
    assert record.escalated_to == world.township
    assert actions.do_escalate_overdue_controls(acting_user=ACTOR) == 0


def test_the_village_phone_shows_the_control_list_above_its_tasks(world, client_for):
    five_to_one(world)
    control(world)
    control(world, "王芳", village=world.other_village)
    page = client_for(world.village_member).get("/screening/tasks/").content.decode()
    assert "Put under control first (1)" in page
    assert page.index("Put under control first") < page.index("Screening tasks</h1>")
    assert "陈建国" in page and "王芳" not in page
    assert AuditEvent.objects.filter(action="teams.control.list").exists()


def test_a_member_closes_a_control_task_on_the_phone(world, client_for):
    handoff = control(world)
    client = client_for(world.village_member)
    refused = client.post(f"/teams/control/{handoff.pk}/", {"measure": ""})
    assert refused.status_code == 200
    assert "A control task is not closed without one" in refused.content.decode()
    done = client.post(f"/teams/control/{handoff.pk}/", {"measure": "not_found"})
    assert done.status_code == 302
    assert ControlRecord.objects.get(handoff=handoff).measure == ControlMeasure.NOT_FOUND


def test_the_control_page_is_404_to_another_county_and_403_without_a_capability(world, client_for):
    handoff = control(world)
    assert (
        client_for(world.other_county_staff).get(f"/teams/control/{handoff.pk}/").status_code == 404
    )
    response = client_for(world.leader).post(f"/teams/control/{handoff.pk}/", {"measure": "home"})
    assert response.status_code == 403


# ------------------------------------------------------------------ pages, API, command


def test_the_team_page_shows_members_and_overdue_work(world, client_for):
    team = five_to_one(world)
    control(world, hours=-1)
    page = client_for(world.tracer).get(f"/teams/{team.pk}/").content.decode()
    assert "黄民警" in page and "Police officer" in page
    assert "Overdue: <strong>1</strong>" in page
    assert AuditEvent.objects.filter(action="teams.team.view", object_id=str(team.pk)).exists()
    assert client_for(world.other_county_staff).get(f"/teams/{team.pk}/").status_code == 404


def test_a_team_is_made_on_the_list_page_and_refused_to_a_leader(world, client_for):
    data = {
        "name": "芗城区流调一队",
        "kind": "county_tracing",
        "area": world.county.pk,
        "shift": "day",
    }
    response = client_for(world.tracer).post("/teams/", data)
    assert response.status_code == 302
    leader = client_for(world.leader).get("/teams/")
    assert "New team" not in leader.content.decode()


def test_the_api_lists_teams_with_their_workload_and_closes_control(world, api_for):
    team = five_to_one(world)
    handoff = control(world)
    listed = api_for(world.tracer).get("/api/v1/teams/").json()["results"]
    assert [t["workload"] for t in listed if t["id"] == team.pk] == [
        {"open": 1, "due_soon": 1, "overdue": 0}
    ]
    assert api_for(world.other_county_staff).get(f"/api/v1/teams/{team.pk}/").status_code == 404
    refused = api_for(world.village_member).post(
        f"/api/v1/teams/control/{handoff.pk}/close/", {"measure": ""}, format="json"
    )
    assert refused.status_code == 400
    assert "not closed without one" in str(refused.json())
    leader = api_for(world.leader).post(
        f"/api/v1/teams/control/{handoff.pk}/close/", {"measure": "home"}, format="json"
    )
    assert leader.status_code == 403
    done = api_for(world.village_member).post(
        f"/api/v1/teams/control/{handoff.pk}/close/", {"measure": "home"}, format="json"
    )
    assert done.status_code == 200 and done.json()["measure"] == "home"


def test_the_figures_count_open_due_soon_and_overdue_work(world):
    five_to_one(world)
    control(world, hours=-1)
    control(world, "林秀英", hours=1)
    control(world, "黄志强", hours=10)
    values = {
        f["name"]: f["value"]
        for f in compute(
            ["teams.open_work", "teams.due_soon", "teams.overdue", "teams.five_to_one_teams"],
            world.county,
        )
    }
    assert values == {
        "teams.open_work": 3,
        "teams.due_soon": 1,
        "teams.overdue": 1,
        "teams.five_to_one_teams": 1,
    }


def test_the_command_line_creates_lists_and_closes(world, capsys):
    call_command("teams", "create", "龙海区流调队", "--kind", "county_tracing", "--area", "350604")
    call_command("teams", "list", "--area", "350604")
    assert "龙海区流调队" in capsys.readouterr().out
    handoff = control(world)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not closed without one"):
        call_command("teams", "close", str(handoff.pk))
    call_command("teams", "close", str(handoff.pk), "--measure", "home")
    assert ControlRecord.objects.get(handoff=handoff).measure == "home"
