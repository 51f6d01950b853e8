"""Supervision (督导): the ledger of every app's overdue items, the groups,
visits, findings and rectifications, accountability."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from zhanyi.command import actions, queries
from zhanyi.core import deadlines, metrics
from zhanyi.core.audit import SystemActor
from zhanyi.core.models import AuditEvent
from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
from zhanyi.quarantine.tests.factories import person as quarantine_person
from zhanyi.quarantine.tests.factories import waiting
from zhanyi.screening.models import ScreeningTask
from zhanyi.testing.tests.factories import person as sampled_person
from zhanyi.testing.tests.factories import round_, scan, site
from zhanyi.tracing.tests.factories import at, case

pytestmark = pytest.mark.django_db
SYSTEM = SystemActor("test")


def _every_app_late(world):
    """One late item of each deadline of the apps on main, in 芗城区's village."""
    c = case(world.village, day=14, reported_at=at(14, 20), filed_at=at(14, 23))
    task = ScreeningTask.objects.create(
        person=c.person, area=world.village, category="close", received_at=at(15), due_at=at(15, 14)
    )
    handoff = waiting(quarantine_person(world.village, "王小明"), identified_at=at(15, 8))
    scan(
        "LATE0001",
        [sampled_person(world.village)],
        site=site(world.village),
        round=round_([world.county]),
    )
    do_create_handoffs(
        [
            HandoffSpec(
                key="control:test",
                kind="control",
                person_id=c.person_id,
                area_id=world.village.pk,
                from_task_force="investigation",
                to_task_force="community",
                origin="test",
                due_at=at(15, 10),
            )
        ],
        acting_user=SYSTEM,
    )
    directive = actions.do_issue_directive(
        acting_user=SYSTEM,
        title="封控区物资配送到户",
        area=world.village,
        due_at=at(17, 18),
        now=at(16, 22),
    )
    group = actions.do_create_group(
        acting_user=SYSTEM, name="第一督导组", kind="supervision", area=world.county
    )
    visit = actions.do_record_visit(
        group, acting_user=SYSTEM, area=world.village, visited_at=at(17, 9)
    )
    finding = actions.do_add_finding(
        visit, acting_user=SYSTEM, text="卡口登记不全", rectify_by=at(17, 21), owner="lockdown"
    )
    return c, task, handoff, directive, finding


def test_the_ledger_lists_every_apps_overdue_items_with_their_owner(world):
    c, _task, _handoff, directive, _finding = _every_app_late(world)
    now = timezone.now() + dt.timedelta(hours=13)  # the tube's 12 hours have passed too
    ledger = queries.ledger(world.city, now=now)
    by_deadline = {r.item.deadline: r for r in ledger.open}
    assert set(by_deadline) == {
        "tracing.investigation",
        "screening.task",
        "quarantine.placement",
        "testing.routine_result",
        "teams.control",
        "command.directive",
        "command.rectification",
    }
    assert by_deadline["screening.task"].owner == "community"
    assert by_deadline["command.rectification"].owner == "lockdown"
    assert by_deadline["tracing.investigation"].item.whose == c.person.name[0] + "*" * (
        len(c.person.name) - 1
    )
    assert by_deadline["quarantine.placement"].item.whose == "王**"
    assert by_deadline["command.directive"].item.link == reverse(
        "command:directive", args=[directive.pk]
    )
    # The latest first.
    lates = [r.late_hours for r in ledger.open]
    assert lates == sorted(lates, reverse=True)
    # Every registered deadline names a protocol key that exists, or none (per item).
    hours = {d.name: d.hours() for d in deadlines.registered()}
    assert hours["tracing.case_report"] == 2 and hours["tracing.investigation"] == 24
    assert hours["screening.task"] == 2 and hours["quarantine.placement"] == 8
    assert hours["testing.routine_result"] == 12 and hours["command.directive"] is None


def test_a_late_case_report_is_in_the_ledger_as_closed_late_within_the_window(world):
    c = case(world.village, day=14, reported_at=at(14, 20), filed_at=at(14, 23))
    ledger = queries.ledger(world.city, now=at(15, 10))
    late = [r for r in ledger.closed_late if r.item.deadline == "tracing.case_report"]
    assert len(late) == 1 and late[0].late_hours == 1.0
    assert late[0].item.closed_at == c.filed_at
    assert not [
        r
        for r in queries.ledger(world.city, now=at(25)).closed_late
        if r.item.deadline == "tracing.case_report"
    ]


def test_the_ledger_is_cut_to_the_jurisdiction_and_filtered(world, client_for, api_for):
    _every_app_late(world)
    page = client_for(world.tracer).get(reverse("command:supervision"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "封控区物资配送到户" in html and "卡口登记不全" in html
    assert "王**" in html and "王小明" not in html
    other = client_for(world.other_county_staff).get(reverse("command:supervision"))
    assert "封控区物资配送到户" not in other.content.decode()
    refused = client_for(world.other_county_staff).get(
        reverse("command:supervision"), {"area": world.village.code}
    )
    assert refused.status_code == 404
    assert client_for(world.outsider).get(reverse("command:supervision")).status_code == 403
    only = client_for(world.commander).get(reverse("command:supervision"), {"owner": "quarantine"})
    assert "王**" in only.content.decode() and "封控区物资配送到户" not in only.content.decode()
    api = api_for(world.commander).get(
        "/api/v1/command/supervision/ledger/", {"owner": "community"}
    )
    assert api.status_code == 200
    assert {i["deadline"] for i in api.json()["open"]} == {"screening.task", "teams.control"}
    bad = api_for(world.commander).get("/api/v1/command/supervision/ledger/", {"owner": "nobody"})
    assert bad.status_code == 400 and "nobody" in json.dumps(bad.json(), ensure_ascii=False)


def test_figures_count_overdue_items_by_task_force(world):
    _every_app_late(world)
    values = {v["name"]: v["value"] for v in metrics.compute(area=world.county)}
    # the tube is not 12 hours old yet: six open items
    assert values["command.overdue_items"] == 6
    assert values["command.overdue.community"] == 2  # the screening task, the control
    assert values["command.overdue.quarantine"] == 1
    assert values["command.overdue.investigation"] == 1
    assert values["command.overdue.coordination"] == 1  # the directive
    other = {v["name"]: v["value"] for v in metrics.compute(area=world.other_county)}
    assert other["command.overdue_items"] == 0


def test_the_figures_computed_together_read_the_ledger_once(world, monkeypatch):
    """Nine figures count the ledger; computing them together reads each app's
    deadlines once, not once per figure (a report of 17 areas took minutes)."""
    _every_app_late(world)
    reads = []
    real = deadlines.overdue

    def counted(area, now, **kwargs):
        reads.append(area)
        return real(area, now, **kwargs)

    monkeypatch.setattr(deadlines, "overdue", counted)
    values = {v["name"]: v["value"] for v in metrics.compute(area=world.county)}
    assert reads == [world.county]
    assert values["command.overdue_items"] == 6 and values["command.overdue.community"] == 2
    reads.clear()
    metrics.compute(["command.overdue_items"], area=world.county)
    metrics.compute(["command.overdue_items"], area=world.county)
    assert reads == [world.county, world.county]  # a pass lasts one call


def test_median_time_to_close_counts_items_closed_late(world):
    case(
        world.village,
        day=14,
        reported_at=timezone.now() - dt.timedelta(hours=5),
        filed_at=timezone.now() - dt.timedelta(hours=2),
        sampled_at=timezone.now() - dt.timedelta(hours=10),
        isolated_at=None,
    )
    values = {
        v["name"]: v["value"]
        for v in metrics.compute(["command.median_hours_late_to_close"], area=world.county)
    }
    assert values["command.median_hours_late_to_close"] == 1.0  # due 3 h ago, filed 2 h ago


def test_groups_visits_findings_and_rectification(world, client_for, api_for):
    commander = client_for(world.commander)
    made = commander.post(
        reverse("command:groups"),
        {"name": "第二督查组", "kind": "inspection", "area": world.county.pk, "leader": "李组长"},
    )
    assert made.status_code == 302
    group = queries.groups_for_user(world.commander).get(name="第二督查组")
    assert AuditEvent.objects.filter(
        action="supervision.group.create", object_id=str(group.pk)
    ).exists()
    tracer = client_for(world.tracer)
    visit_page = tracer.post(
        reverse("command:group", args=[group.pk]),
        {"area": world.village.pk, "visited_at": "2021-09-17T09:00", "place": "东铺头卡口"},
    )
    assert visit_page.status_code == 302
    visit = group.visits.get()
    due = (timezone.now() - dt.timedelta(hours=1)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    tracer.post(
        reverse("command:visit", args=[visit.pk]),
        {
            "form": "finding",
            "text": "测温点无人值守",
            "owner": "",
            "rectify_by": due.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    finding = visit.findings.get()
    ledger = queries.ledger(world.county)
    assert [r.item.what for r in ledger.open if r.item.deadline == "command.rectification"]
    response = api_for(world.tracer).post(
        f"/api/v1/command/supervision/findings/{finding.pk}/rectify/",
        {"rectification": ""},
        format="json",
    )
    assert response.status_code == 400
    assert "请写明问题如何整改" in response.json()["rectification"][0]
    done = api_for(world.tracer).post(
        f"/api/v1/command/supervision/findings/{finding.pk}/rectify/",
        {"rectification": "已安排专人值守"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["rectified_by_name"] == "tracer"
    again = api_for(world.tracer).post(
        f"/api/v1/command/supervision/findings/{finding.pk}/rectify/",
        {"rectification": "再次"},
        format="json",
    )
    assert again.status_code == 400 and "已于" in again.json()["rectification"][0]
    closed = queries.ledger(world.county)
    assert not [r for r in closed.open if r.item.deadline == "command.rectification"]
    assert [r for r in closed.closed_late if r.item.deadline == "command.rectification"]
    # Another county's staff see neither the group nor its visit.
    other = client_for(world.other_county_staff)
    assert other.get(reverse("command:group", args=[group.pk])).status_code == 404
    assert other.get(reverse("command:visit", args=[visit.pk])).status_code == 404
    outside = api_for(world.other_county_staff).post(
        f"/api/v1/command/supervision/findings/{finding.pk}/rectify/",
        {"rectification": "x"},
        format="json",
    )
    assert outside.status_code == 404


def test_refusals_say_what_and_where(world):
    group = actions.do_create_group(
        acting_user=SYSTEM, name="第三督导组", kind="supervision", area=world.county
    )
    with pytest.raises(PermissionDenied, match="东铺头社区不在您的管辖范围内"):
        actions.do_record_visit(
            group, acting_user=world.other_county_staff, area=world.village, visited_at=at(17)
        )
    with pytest.raises(ValidationError) as error:
        actions.do_record_visit(
            group, acting_user=SYSTEM, area=world.other_village, visited_at=at(17)
        )
    assert "新华社区" in str(error.value) and "芗城区" in str(error.value)
    with pytest.raises(PermissionDenied, match="需要"):
        actions.do_create_group(
            acting_user=world.tracer, name="x", kind="supervision", area=world.county
        )
    with pytest.raises(PermissionDenied, match="需要"):
        actions.do_record_visit(
            group, acting_user=world.leader, area=world.village, visited_at=at(17)
        )
    visit = actions.do_record_visit(
        group, acting_user=SYSTEM, area=world.village, visited_at=at(17)
    )
    with pytest.raises(ValidationError) as error:
        actions.do_add_finding(visit, acting_user=SYSTEM, text="", rectify_by=at(16))
    assert set(error.value.message_dict) == {"text", "rectify_by"}
    assert "2021-09-16 12:00" in error.value.message_dict["rectify_by"][0]
    with pytest.raises(ValidationError) as error:
        actions.do_create_group(
            acting_user=SYSTEM, name="第三督导组", kind="supervision", area=world.county
        )
    assert "第三督导组" in error.value.message_dict["name"][0]
    with override("zh-hans"), pytest.raises(PermissionDenied) as denied:
        actions.do_create_group(
            acting_user=world.tracer, name="x", kind="supervision", area=world.county
        )
    assert "需要" in str(denied.value)


def test_accountability_is_recorded_by_the_headquarters_only(world, client_for, api_for):
    response = api_for(world.commander).post(
        "/api/v1/command/supervision/accountability/",
        {
            "area": world.village.code,
            "held": "东铺头社区居委会",
            "measure": "talk",
            "reason": "排查超时",
        },
        format="json",
    )
    assert response.status_code == 201
    assert AuditEvent.objects.filter(action="supervision.accountability").count() == 1
    staff = api_for(world.tracer).post(
        "/api/v1/command/supervision/accountability/",
        {"area": world.village.code, "held": "x", "measure": "talk", "reason": "y"},
        format="json",
    )
    assert staff.status_code == 403
    wrong = api_for(world.commander).post(
        "/api/v1/command/supervision/accountability/",
        {"area": world.village.code, "held": "x", "measure": "fine", "reason": "y"},
        format="json",
    )
    assert wrong.status_code == 400 and "measure" in wrong.json()
    unknown = api_for(world.commander).post(
        "/api/v1/command/supervision/accountability/",
        {"area": "999999", "held": "x", "measure": "talk", "reason": "y"},
        format="json",
    )
    assert unknown.status_code == 400 and "999999" in json.dumps(unknown.json())
    page = client_for(world.other_county_staff).get(reverse("command:accountability"))
    assert "东铺头社区居委会" not in page.content.decode()
    assert (
        "东铺头社区居委会"
        in client_for(world.leader).get(reverse("command:accountability")).content.decode()
    )


def test_the_command_line_prints_the_ledger(world, capsys):
    _every_app_late(world)
    call_command("supervision", "ledger", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert {r["deadline"] for r in rows} >= {
        "screening.task",
        "command.directive",
        "quarantine.placement",
    }
    assert all("王小明" not in r["whose"] for r in rows)
    call_command("supervision", "ledger", "--owner", "quarantine")
    out = capsys.readouterr().out
    assert "王**" in out and "1 open overdue" in out
