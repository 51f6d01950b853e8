from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from zhanyi.clinics import actions
from zhanyi.clinics.models import Visit
from zhanyi.core.deadlines import overdue
from zhanyi.handoffs.actions import do_close_handoff

from .factories import ACTOR, clinic, person, pharmacy

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("clinics", *args, stdout=out)
    return out.getvalue()


def test_the_command_line_runs_a_clinic_and_refuses_an_occupied_room(world):
    made = run(
        "clinic",
        "create",
        "龙海区第一医院发热门诊",
        "--kind",
        "fever_clinic",
        "--area",
        world.other_county.code,
        "--rooms",
        "2",
    )
    assert "2 rooms" in made
    a = person(world.other_village, "黄一")
    b = person(world.other_village, "黄二", seq=2)
    first = run(
        "visit",
        "龙海区第一医院发热门诊",
        "--person",
        str(a.pk),
        "--temperature",
        "38.1",
        "--room",
        "1",
    )
    assert "fever (fever), room 1" in first and "黄*" in first
    second = run("visit", "龙海区第一医院发热门诊", "--person", str(b.pk), "--history")
    visit = Visit.objects.get(person=b)
    assert f"visit {visit.pk}: 黄* suspected" in second
    with pytest.raises(CommandError, match="Room 1 of 龙海区第一医院发热门诊 is occupied by 黄"):
        run("room", str(visit.pk), "1")
    assert "ended: quarantine; hand-off" in run("close", str(visit.pk), "--outcome", "quarantine")
    listed = json.loads(run("list", "--json"))
    assert listed[0]["in_use"] == 1 and listed[0]["waiting"] == 0
    staff = run("staff", "add", "龙海区第一医院发热门诊", "--person", str(b.pk), "--role", "nurse")
    assert "8 tests scheduled" in staff
    assert "0 staff test schedule(s) renewed" in run("staff", "renew")  # nothing new yet


def test_the_command_line_reports_a_buyer_and_lists_the_state(world):
    run("pharmacy", "create", "新华大药房", "--area", world.other_village.code)
    out = run(
        "report",
        "新华大药房",
        "--name",
        "黄小明(其子)",
        "--phone",
        "139 0000 1111",
        "--id-number",
        "123",
        "--medicine",
        "cough",
        "--follow-up",
        "visit",
    )
    assert "linked by new; visit due by" in out and "warning: The identity number" in out
    with pytest.raises(CommandError, match="a name alone cannot be followed up"):
        run("report", "新华大药房", "--name", "无名", "--medicine", "cough")
    rows = json.loads(run("reports", "--state", "open", "--json"))
    assert [(r["name"], r["state"]) for r in rows] == [("黄**", "open")]
    figures = json.loads(run("figures", "--area", world.other_county.code, "--json"))
    assert figures["clinics.reports_open"] == 1 and figures["clinics.reports_overdue"] == 0


def test_overdue_follow_ups_are_in_the_supervision_ledger(world):
    shop = pharmacy(world.village)
    visited = actions.do_report_buyer(
        shop,
        actions.Buyer(name="甲", phone="13800001111"),
        medicine="fever",
        follow_up="visit",
        acting_user=ACTOR,
        now=timezone.now() - dt.timedelta(hours=13),
    )
    tested = actions.do_report_buyer(
        shop,
        actions.Buyer(name="乙", phone="13800002222"),
        medicine="fever",
        acting_user=ACTOR,
        now=timezone.now() - dt.timedelta(hours=25),
    )
    in_time = actions.do_report_buyer(
        shop, actions.Buyer(name="丙", phone="13800003333"), medicine="cough", acting_user=ACTOR
    )
    items = overdue(
        world.county, timezone.now(), names=["clinics.buyer_visit", "clinics.buyer_test"]
    )
    assert sorted((i.deadline, i.whose) for i in items) == [
        ("clinics.buyer_test", "乙"),
        ("clinics.buyer_visit", "甲"),
    ]
    assert items[0].what.endswith("东铺头大药房")
    # The visit is the village team's control hand-off: the whole ledger lists
    # it once, under the pharmacy's deadline, not again as a contact's control.
    whole = overdue(world.county, timezone.now())
    assert [i.deadline for i in whole if i.whose == "甲"] == ["clinics.buyer_visit"]
    # done late: still in the ledger, closed
    do_close_handoff(tested.handoff, acting_user=ACTOR)
    late = overdue(world.county, timezone.now(), names=["clinics.buyer_test"])
    assert late[0].closed_at is not None
    do_close_handoff(in_time.handoff, acting_user=ACTOR)
    assert len(overdue(world.county, timezone.now(), names=["clinics.buyer_test"])) == 1
    assert overdue(world.other_county, timezone.now(), names=["clinics.buyer_visit"]) == []
    assert visited.state(timezone.now()) == "overdue"


def test_a_staff_members_missed_test_is_overdue_in_the_ledger(world):
    c = clinic(world.village)
    actions.do_add_staff(
        c,
        person(world.village),
        role="doctor",
        acting_user=ACTOR,
        started_at=timezone.now() - dt.timedelta(days=3),
    )
    items = overdue(world.county, timezone.now(), names=["clinics.staff_test"])
    assert [i.whose for i in items] == ["张**"] and "芗城区医院发热门诊" in items[0].what
