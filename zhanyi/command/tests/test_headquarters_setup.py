"""Headquarters set up by their users: the headquarters, task forces, leads,
members and twinned counties (pages, API, command line)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from zhanyi.accounts.models import Headquarters, TaskForce
from zhanyi.command import actions
from zhanyi.core.models import AuditEvent
from zhanyi.quarantine.models import Twinning

pytestmark = pytest.mark.django_db


def test_the_commander_sets_up_a_county_headquarters_on_the_page(world, client_for):
    page = client_for(world.commander)
    response = page.post(
        reverse("command:headquarters-list"), {"name": "芗城区战疫指挥部", "area": world.county.pk}
    )
    assert response.status_code == 302
    hq = Headquarters.objects.get(area=world.county)
    assert hq.task_forces.count() == 10
    assert AuditEvent.objects.filter(action="headquarters.create", object_id=str(hq.pk)).exists()
    testing = hq.task_forces.get(kind="testing")
    page.post(
        reverse("command:headquarters", args=[hq.pk]),
        {"form": "lead", "task_force": testing.pk, "lead": "副区长 张某"},
    )
    page.post(
        reverse("command:headquarters", args=[hq.pk]),
        {"form": "member", "username": "tracer", "task_force": testing.pk},
    )
    testing.refresh_from_db()
    world.tracer.refresh_from_db()
    assert testing.lead == "副区长 张某" and world.tracer.task_force == testing
    refused = page.post(
        reverse("command:headquarters", args=[hq.pk]),
        {"form": "member", "username": "longhai", "task_force": testing.pk},
    )
    assert "longhai" in refused.content.decode() and "芗城区" in refused.content.decode()
    page.post(
        reverse("command:headquarters", args=[hq.pk]),
        {"form": "twin", "county": world.county.pk, "twin": world.other_county.pk},
    )
    assert Twinning.objects.get(county=world.county).twin == world.other_county
    shown = page.get(reverse("command:headquarters", args=[hq.pk])).content.decode()
    assert "副区长 张某" in shown and "龙海区" in shown
    # Another county sees neither the list entry nor the page.
    other = client_for(world.other_county_staff)
    assert (
        "芗城区战疫指挥部" not in other.get(reverse("command:headquarters-list")).content.decode()
    )
    assert other.get(reverse("command:headquarters", args=[hq.pk])).status_code == 404


def test_refusals(world):
    with pytest.raises(PermissionDenied, match="需要"):
        actions.do_set_up_headquarters(acting_user=world.tracer, area=world.county, name="x")
    longhai = actions.do_set_up_headquarters(
        acting_user=world.commander, area=world.other_county, name="龙海区指挥部"
    )
    with pytest.raises(ValidationError) as error:
        actions.do_set_up_headquarters(
            acting_user=world.commander, area=world.other_county, name="又一个"
        )
    assert "龙海区指挥部" in error.value.message_dict["area"][0]
    with pytest.raises(ValidationError) as error:
        actions.do_add_task_force(longhai, acting_user=world.commander, kind="testing")
    assert "龙海区指挥部" in error.value.message_dict["kind"][0]
    with pytest.raises(PermissionDenied, match="龙海区"):
        actions.do_set_task_force_lead(
            longhai.task_forces.first(), acting_user=_county_commander(world), lead="x"
        )


def _county_commander(world):
    from zhanyi.accounts.models import Role
    from zhanyi.accounts.testing import make_user

    return make_user("xiangcheng_commander", Role.COMMANDER, world.county)


def test_the_api_and_the_command_line(world, api_for, capsys):
    api = api_for(world.commander)
    made = api.post(
        "/api/v1/command/headquarters/",
        {
            "name": "台商投资区战疫指挥部",
            "area": world.county.code,
            "kinds": ["testing", "quarantine"],
        },
        format="json",
    )
    assert made.status_code == 201 and len(made.json()["task_forces"]) == 2
    hq_id = made.json()["id"]
    tf = made.json()["task_forces"][0]["id"]
    changed = api.patch(
        f"/api/v1/command/headquarters/{hq_id}/task-forces/{tf}/",
        {"lead": "李组长", "add_members": ["tracer"]},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["members"] == ["tracer"]
    unknown = api.patch(
        f"/api/v1/command/headquarters/{hq_id}/task-forces/{tf}/",
        {"add_members": ["nobody"]},
        format="json",
    )
    assert unknown.status_code == 400 and "nobody" in str(unknown.json())
    staff = api_for(world.tracer).patch(
        f"/api/v1/command/headquarters/{hq_id}/task-forces/{tf}/", {"lead": "x"}, format="json"
    )
    assert staff.status_code == 403
    assert (
        api_for(world.other_county_staff)
        .patch(
            f"/api/v1/command/headquarters/{hq_id}/task-forces/{tf}/", {"lead": "x"}, format="json"
        )
        .status_code
        == 404
    )
    twin = api.post(
        "/api/v1/command/twinnings/",
        {"county": world.county.code, "twin": world.county.code},
        format="json",
    )
    assert twin.status_code == 400
    call_command("headquarters", "create", "龙海区指挥部", "--area", world.other_county.code)
    call_command(
        "headquarters",
        "lead",
        str(Headquarters.objects.get(area=world.other_county).pk),
        "testing",
        "王副区长",
    )
    call_command("headquarters", "list")
    out = capsys.readouterr().out
    assert "龙海区指挥部" in out and "王副区长" in out
    assert TaskForce.objects.filter(lead="王副区长").count() == 1
