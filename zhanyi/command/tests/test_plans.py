"""The emergency plan (应急预案): versions drafted, edited, approved into
force (one at a time), earlier versions kept as issued; pages, API and the
command line, for the headquarters only."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from zhanyi.command import actions
from zhanyi.command.models import PlanState, PlanVersion
from zhanyi.core.audit import SystemActor
from zhanyi.core.models import AuditEvent
from zhanyi.engine import flowcharts

pytestmark = pytest.mark.django_db

SYSTEM = SystemActor("test")


def _draft(number: int = 4, **kwargs) -> PlanVersion:
    return actions.do_draft_plan_version(
        acting_user=kwargs.pop("acting_user", SYSTEM),
        number=number,
        title=kwargs.pop("title", f"漳州市新冠肺炎疫情应急预案（第{number}版）"),
        effective_on=dt.date(2021, 9, 1),
        text=kwargs.pop("text", "# 总则\n快、严、实、细。\n# 组织指挥\n指挥部与十个专班。"),
        **kwargs,
    )


def test_the_commander_drafts_and_approves_on_the_page_and_the_flowcharts_are_drawn(
    world, client_for
):
    page = client_for(world.commander)
    response = page.post(
        reverse("command:plans"),
        {
            "number": 4,
            "title": "应急预案（第四版）",
            "effective_on": "2021-09-01",
            "text": "# 总则\n快、严、实、细。",
            "flowcharts": "",
        },
    )
    plan = PlanVersion.objects.get(number=4)
    assert response.status_code == 302 and plan.state == PlanState.DRAFT
    assert [c.key for c in plan.charts()] == [c.key for c in flowcharts.standard()]
    assert AuditEvent.objects.filter(action="plan.draft", object_id=str(plan.pk)).exists()
    # A directive issued now is counted in the directive chart's "issued" box.
    actions.do_issue_directive(
        acting_user=world.commander,
        title="封控区物资配送到户",
        area=world.village,
        due_at=timezone.now() + dt.timedelta(hours=4),
    )
    shown = page.get(reverse("command:plan", args=[plan.pk])).content.decode()
    assert "<svg" in shown and 'data-flowchart="directive"' in shown
    assert 'data-state="issued" data-count="1"' in shown
    assert 'data-state="verified" data-count="0"' in shown
    assert "总则" in shown
    approved = page.post(reverse("command:plan", args=[plan.pk]), {"step": "approve"})
    assert approved.status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.IN_FORCE and plan.approved_by_name == "commander"
    assert AuditEvent.objects.filter(action="plan.approve", object_id=str(plan.pk)).exists()


@translation.override("en")
def test_one_version_is_in_force_and_an_approved_one_is_never_changed():
    v4 = actions.do_approve_plan_version(_draft(4), acting_user=SYSTEM)
    v5 = _draft(5, text="# 总则\n第五版。")
    assert v5.flowcharts == v4.flowcharts  # a new draft starts from the version in force
    actions.do_approve_plan_version(v5, acting_user=SYSTEM)
    v4.refresh_from_db()
    assert v4.state == PlanState.SUPERSEDED and v4.superseded_at is not None
    assert list(PlanVersion.objects.filter(state=PlanState.IN_FORCE)) == [v5]
    assert v4.sections() == [("总则", "快、严、实、细。"), ("组织指挥", "指挥部与十个专班。")]
    with pytest.raises(ValidationError, match="only a draft is edited"):
        actions.do_edit_plan_version(v4, acting_user=SYSTEM, title="改写")
    with pytest.raises(ValidationError, match="only a draft is approved"):
        actions.do_approve_plan_version(v4, acting_user=SYSTEM)
    with pytest.raises(ValidationError, match="Version 5 exists already"):
        _draft(5)


@translation.override("en")
def test_a_flowchart_the_workflows_cannot_follow_is_not_approved():
    charts = [c.as_dict() for c in flowcharts.standard()]
    zone = next(c for c in charts if c["key"] == "zone")
    zone["transitions"] = [t for t in zone["transitions"] if t["to"] != "rejected"]
    zone["states"].append("suspended")
    plan = _draft(6, charts=charts)
    with pytest.raises(ValidationError) as refused:
        actions.do_approve_plan_version(plan, acting_user=SYSTEM)
    message = " ".join(refused.value.messages)
    assert "zone: proposed→rejected" in message and "zone: suspended" in message
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT
    with pytest.raises(ValidationError, match="do not read"):
        actions.do_edit_plan_version(plan, acting_user=SYSTEM, charts="[[flowchart]]\nkey='x'")


def test_who_may_draft_approve_and_read(world, client_for, api_for):
    plan = _draft(4)
    with pytest.raises(PermissionDenied):
        actions.do_approve_plan_version(plan, acting_user=world.tracer)  # a county's staff
    with pytest.raises(PermissionDenied):
        _draft(7, acting_user=world.leader)  # reads only
    assert client_for(world.leader).get(reverse("command:plan", args=[plan.pk])).status_code == 200
    for user in (world.outsider, world.tracer, world.village_member, world.other_county_staff):
        assert api_for(user).get("/api/v1/command/plans/").status_code == 403, user
        assert client_for(user).get(reverse("command:plans")).status_code == 403, user
    refused = api_for(world.leader).post(f"/api/v1/command/plans/{plan.pk}/approve/")
    assert refused.status_code == 403
    assert not AuditEvent.objects.filter(action="plan.approve").exists()


def test_the_api_drafts_edits_approves_and_counts(world, api_for):
    api = api_for(world.commander)
    created = api.post(
        "/api/v1/command/plans/",
        {"number": 4, "title": "第四版", "effective_on": "2021-09-01", "text": "# 总则"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    directive = next(c for c in created.json()["flowcharts"] if c["key"] == "directive")
    assert directive["transitions"][0] == {
        "source": "issued",
        "target": "acknowledged",
        "by": "责任专班或属地",
        "within_hours": None,
    }
    edited = api.patch(f"/api/v1/command/plans/{pk}/", {"title": "第四版（修订）"}, format="json")
    assert edited.status_code == 200 and edited.json()["title"] == "第四版（修订）"
    bad = api.patch(
        f"/api/v1/command/plans/{pk}/",
        {"flowcharts": [{**directive, "states": ["issued"]}]},
        format="json",
    )
    assert bad.status_code == 400 and "not one of its states" in json.dumps(bad.json())
    assert api.post(f"/api/v1/command/plans/{pk}/approve/").json()["state"] == "in_force"
    counts = api.get(f"/api/v1/command/plans/{pk}/flowcharts/").json()
    zone = next(c for c in counts if c["key"] == "zone")
    assert zone["counts"] == {} and zone["problems"] == []
    again = api.patch(f"/api/v1/command/plans/{pk}/", {"title": "x"}, format="json")
    assert again.status_code == 400 and list(again.json()) == ["state"]


def test_the_command_line_drafts_approves_and_checks(tmp_path):
    charts = tmp_path / "charts.toml"
    charts.write_text(flowcharts.to_toml(flowcharts.standard()[:2]), encoding="utf-8")
    out = io.StringIO()
    call_command(
        "plan",
        "draft",
        "--number=4",
        "--title=第四版",
        "--effective=2021-09-01",
        f"--flowcharts={charts}",
        stdout=out,
    )
    plan = PlanVersion.objects.get(number=4)
    assert [c.key for c in plan.charts()] == ["directive", "case"]
    with pytest.raises(CommandError, match="no version of the plan is in force"):
        call_command("plan", "check", stdout=out)
    call_command("plan", "approve", str(plan.pk), stdout=out)
    call_command("plan", "check", stdout=out)
    assert "directive: issued 0, acknowledged 0, done 0, verified 0" in out.getvalue()
    call_command("plan", "show", str(plan.pk), "--json", stdout=out)
    assert AuditEvent.objects.filter(action="plan.approve").get().actor_name.startswith("cli:")
