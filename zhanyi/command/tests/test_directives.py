"""Directives (指令): issued, acknowledged by the owner, done with evidence,
verified; overdue ones in the ledger and escalated once by the clock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from zhanyi.accounts.models import Role, TaskForceKind
from zhanyi.accounts.testing import make_user
from zhanyi.command import actions, periodic, queries
from zhanyi.command.models import Directive, DirectiveState
from zhanyi.core.audit import SystemActor
from zhanyi.core.models import AuditEvent

pytestmark = pytest.mark.django_db
SYSTEM = SystemActor("test")


def _hq(world):
    return actions.do_set_up_headquarters(acting_user=SYSTEM, area=world.city, name="漳州市指挥部")


def _issue(world, **extra) -> Directive:
    values = {
        "title": "台商投资区全员核酸第二轮",
        "area": world.village,
        "due_at": timezone.now() + dt.timedelta(hours=6),
    }
    values.update(extra)
    values.setdefault("acting_user", world.commander)
    return actions.do_issue_directive(**values)


def test_the_commander_issues_a_directive_on_the_page_and_sees_it_overdue(world, client_for):
    page = client_for(world.commander)
    due = (timezone.now() + dt.timedelta(minutes=30)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    response = page.post(
        reverse("command:directives"),
        {
            "title": "  封控区  物资配送到户 ",
            "area": world.village.pk,
            "due_at": due.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    directive = Directive.objects.get()
    assert directive.title == "封控区 物资配送到户" and directive.owner_label() == "东铺头社区"
    assert AuditEvent.objects.filter(action="directive.issue", object_id=str(directive.pk)).exists()
    later = timezone.now() + dt.timedelta(hours=1)
    assert directive.is_overdue(later)
    ledger = queries.ledger(world.city, now=later)
    assert [r.item.what for r in ledger.open] == ["指令：封控区 物资配送到户"]
    # The clock escalates it once and tells the area's auditors.
    assert periodic.escalate_directives(later) == "escalated 1 directive(s)"
    assert periodic.escalate_directives(later) == "escalated 0 directive(s)"
    event = AuditEvent.objects.get(action="directive.escalate")
    assert event.area_path == world.village.path and event.detail["owner"] == "东铺头社区"
    shown = page.get(reverse("command:directive", args=[directive.pk]))
    assert shown.status_code == 200


def test_refusals_of_issuing(world, client_for, api_for):
    staff = api_for(world.tracer).post(
        "/api/v1/command/directives/",
        {
            "title": "x",
            "area": world.village.code,
            "due_at": (timezone.now() + dt.timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert staff.status_code == 403 and "approve" not in staff.json()["detail"]
    past = api_for(world.commander).post(
        "/api/v1/command/directives/",
        {"title": "x", "area": world.village.code, "due_at": "2021-09-17T18:00:00+08:00"},
        format="json",
    )
    assert past.status_code == 400 and "2021-09-17 18:00" in past.json()["due_at"][0]
    # A commander of another county may not issue here.
    longhai_commander = make_user("longhai_commander", Role.COMMANDER, world.other_county)
    with pytest.raises(PermissionDenied, match="东铺头社区"):
        _issue(world, acting_user=longhai_commander)
    response = client_for(longhai_commander).post(
        reverse("command:directives"),
        {"title": "x", "area": world.village.pk, "due_at": "2030-01-01T12:00"},
    )
    assert response.status_code == 200 and not Directive.objects.exists()  # not a choice


def test_the_states_in_order_with_their_refusals(world, api_for):
    hq = _hq(world)
    testing = hq.task_forces.get(kind=TaskForceKind.TESTING)
    directive = _issue(world, task_force=testing)
    # Not a member of the owning task force: refused, with the reason.
    refused = api_for(world.tracer).post(f"/api/v1/command/directives/{directive.pk}/acknowledge/")
    assert refused.status_code == 403
    assert "核酸检测" in refused.json()["detail"] and "专班" in refused.json()["detail"]
    world.tracer.task_force = testing
    world.tracer.save()
    # Done before acknowledged: refused.
    early = api_for(world.tracer).post(
        f"/api/v1/command/directives/{directive.pk}/done/", {"evidence": "完成"}, format="json"
    )
    assert early.status_code == 400 and "签收后才能报告办结" in early.json()["state"][0]
    # Verified before done: refused.
    verify = api_for(world.commander).post(f"/api/v1/command/directives/{directive.pk}/verify/")
    assert verify.status_code == 400 and "报告办结后才能核验" in verify.json()["state"][0]
    ack = api_for(world.tracer).post(f"/api/v1/command/directives/{directive.pk}/acknowledge/")
    assert ack.status_code == 200 and ack.json()["state"] == "acknowledged"
    empty = api_for(world.tracer).post(
        f"/api/v1/command/directives/{directive.pk}/done/", {"evidence": "  "}, format="json"
    )
    assert empty.status_code == 400 and "evidence" in empty.json()
    done = api_for(world.tracer).post(
        f"/api/v1/command/directives/{directive.pk}/done/",
        {
            "evidence": "已完成 12,034 人采样",
            "evidence_file": SimpleUploadedFile("proof.txt", b"ok"),
        },
        format="multipart",
    )
    assert done.status_code == 200 and done.json()["state"] == "done"
    directive.refresh_from_db()
    assert directive.evidence_file.name.endswith(".txt")
    # The leader reads but may not verify; the commander verifies.
    assert (
        api_for(world.leader).post(f"/api/v1/command/directives/{directive.pk}/verify/").status_code
        == 403
    )
    assert (
        api_for(world.commander)
        .post(f"/api/v1/command/directives/{directive.pk}/verify/")
        .json()["state"]
        == "verified"
    )
    actions_written = list(
        AuditEvent.objects.filter(
            object_id=str(directive.pk), action__startswith="directive."
        ).values_list("action", flat=True)
    )
    assert sorted(actions_written) == sorted(
        ["directive.issue", "directive.acknowledge", "directive.done", "directive.verify"]
    )
    # Another county sees nothing of it.
    assert (
        api_for(world.other_county_staff)
        .get(f"/api/v1/command/directives/{directive.pk}/")
        .status_code
        == 404
    )
    assert api_for(world.other_county_staff).get("/api/v1/command/directives/").json() == []


def test_a_directive_owned_by_a_task_force_is_in_its_ledger_row(world):
    hq = _hq(world)
    directive = _issue(world, task_force=hq.task_forces.get(kind=TaskForceKind.QUARANTINE))
    later = directive.due_at + dt.timedelta(hours=2)
    rows = queries.ledger(world.county, owner="quarantine", now=later).open
    assert [r.item.deadline for r in rows] == ["command.directive"]
    with override("zh-hans"):
        assert rows[0].owner_label == "隔离"


def test_the_task_force_must_work_where_the_directive_is(world):
    county_hq = actions.do_set_up_headquarters(
        acting_user=SYSTEM, area=world.other_county, name="龙海区指挥部"
    )
    with pytest.raises(ValidationError) as error:
        _issue(world, task_force=county_hq.task_forces.first())
    assert "龙海区指挥部" in error.value.message_dict["task_force"][0]


def test_the_command_line(world, capsys):
    call_command(
        "directive",
        "issue",
        "核酸结果两小时内上报",
        "--area",
        world.village.code,
        "--due",
        "2030-01-01 12:00",
    )
    directive = Directive.objects.get()
    call_command("directive", "acknowledge", str(directive.pk))
    call_command("directive", "done", str(directive.pk), "已落实")
    call_command("directive", "verify", str(directive.pk))
    assert Directive.objects.get().state == DirectiveState.VERIFIED
    call_command("directive", "list")
    assert "核酸结果两小时内上报" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="只有已下达的指令才能签收"):
        call_command("directive", "acknowledge", str(directive.pk))
