"""Drills (演练): a scenario replayed into a database of its own, worked in by
processes that know only that database; the live database is untouched
(rows counted before and after). The drill's database is made for real on
SQLite and on PostgreSQL, and dropped again."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from zhanyi.accounts.testing import build_world
from zhanyi.command import drills
from zhanyi.command.actions import drills as drill_actions
from zhanyi.command.models import Directive, Drill, DrillState
from zhanyi.core.audit import SystemActor
from zhanyi.core.db import databases
from zhanyi.core.models import AuditEvent
from zhanyi.places.models import Area

SYSTEM = SystemActor("test")


def _live_rows() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("drill", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_drill_runs_in_its_own_database_and_the_live_one_is_untouched():
    world = build_world()
    before = _live_rows()
    started = _run("start", "t1", "--scenario", "city")
    drill = Drill.objects.get(name="t1")
    try:
        assert drill.state == DrillState.READY, started
        assert databases.exists(drill.database)
        assert drill.database != databases.sibling_name("x", folder=drills.folder("x"))
        # Work in the drill: a directive issued there, read back there.
        _run(
            "run",
            "t1",
            "directive",
            "issue",
            "演练：封控区物资配送到户",
            "--area",
            world.village.code,
            "--due",
            "2031-01-01 12:00",
        )
        assert "演练：封控区物资配送到户" in _run("run", "t1", "directive", "list")
        shown = _run(
            "run",
            "t1",
            "shell",
            "-c",
            "from django.conf import settings; from zhanyi.places.models import Area;"
            " print(settings.DRILL, settings.SESSION_COOKIE_NAME, Area.objects.count())",
        )
        assert f"t1 zhanyi_drill_t1_sessionid {Area.objects.count()}" in shown
        # The live database: only the drill's record and its audit events are new.
        after = _live_rows()
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert changed == {
            "command.Drill": (0, 1),
            "core.AuditEvent": (before["core.AuditEvent"], before["core.AuditEvent"] + 2),
        }
        assert not Directive.objects.exists()
        assert set(
            AuditEvent.objects.filter(action__startswith="drill.").values_list("action", flat=True)
        ) == {
            "drill.start",
            "drill.ready",
        }
        _run("stop", "t1")
        with pytest.raises(CommandError, match="not ready"):
            _run("run", "t1", "directive", "list")
        assert drills.stopped_marker("t1").exists()
    finally:
        _run("delete", "t1")
    assert not databases.exists(drill.database)
    assert not drills.folder("t1").exists()
    assert Drill.objects.get(name="t1").state == DrillState.DELETED


def test_loading_a_scenario_is_refused_outside_its_drill():
    with pytest.raises(CommandError, match="inside drill t2 only"):
        _run("load", "t2", "--scenario", "city")


@pytest.mark.django_db
def test_the_page_and_the_api_start_drills_for_the_headquarters_only(world, client_for, api_for):
    page = client_for(world.commander)
    response = page.post(reverse("command:drills"), {"name": "d1", "scenario": "city"})
    assert response.status_code == 302
    drill = Drill.objects.get(name="d1")
    # Prepared after the request's transaction commits, by a background worker.
    assert drill.state == DrillState.PREPARING and drill.started_by_name == "commander"
    assert AuditEvent.objects.filter(action="drill.start", object_id=str(drill.pk)).exists()
    shown = page.get(reverse("command:drill", args=["d1"])).content.decode()
    assert 'data-state="preparing"' in shown
    admin = api_for(world.admin).post(
        "/api/v1/command/drills/", {"name": "d2", "scenario": "demo"}, format="json"
    )
    assert admin.status_code == 202 and admin.json()["state"] == "preparing"
    taken = api_for(world.commander).post(
        "/api/v1/command/drills/", {"name": "d1", "scenario": "city"}, format="json"
    )
    assert taken.status_code == 400 and list(taken.json()) == ["name"]
    bad = api_for(world.commander).post(
        "/api/v1/command/drills/", {"name": "D 1", "scenario": "city"}, format="json"
    )
    assert bad.status_code == 400
    leader = api_for(world.leader)
    assert leader.get("/api/v1/command/drills/").status_code == 200
    refused = leader.post(
        "/api/v1/command/drills/", {"name": "d3", "scenario": "city"}, format="json"
    )
    assert refused.status_code == 403
    for user in (world.outsider, world.tracer, world.village_member):
        assert api_for(user).get("/api/v1/command/drills/").status_code == 403
        assert client_for(user).get(reverse("command:drills")).status_code == 403
    with pytest.raises(ValidationError, match="d1"):
        drill_actions.do_delete_drill(drill, acting_user=SYSTEM)
    assert not Drill.objects.filter(name="d3").exists()


@pytest.mark.django_db
@override_settings(DRILL="inside")
def test_no_drill_is_started_from_inside_a_drill(world):
    with pytest.raises(ValidationError):
        drill_actions.do_start_drill(acting_user=SYSTEM, name="nested", scenario="city")
    with pytest.raises(PermissionDenied):
        drill_actions.do_start_drill(acting_user=world.tracer, name="x", scenario="city")
