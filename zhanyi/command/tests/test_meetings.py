"""The daily meeting (每日调度会): its pack (what changed since the last
meeting from the stored reports, what is overdue from the supervision
ledger, the decisions taken as directives), on the page, in Word and PDF,
over the API and on the command line; scoped and audited."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from docx import Document

from zhanyi.command import actions, queries
from zhanyi.command.models import Directive, Meeting, ReportFigure
from zhanyi.core.audit import SystemActor
from zhanyi.core.models import AuditEvent
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_english():
    """Messages made outside a request in English (the source's words)."""
    with translation.override("en"):
        yield


CLI = SystemActor("cli:test")
TITLE = "东铺头社区物资配送到户"
NOON = dt.datetime(2021, 9, 14, 12, 0, tzinfo=LOCAL_TZ)
EVENING = dt.datetime(2021, 9, 14, 20, 0, tzinfo=LOCAL_TZ)
FIRST = dt.datetime(2021, 9, 14, 13, 0, tzinfo=LOCAL_TZ)
SECOND = dt.datetime(2021, 9, 14, 21, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def meetings(world):
    """Two meetings with a report before each: one person in 芗城区 at noon,
    three by the evening; a directive overdue by the second meeting."""
    Person.objects.create(name="张三", village=world.village)
    actions.do_take_report(acting_user=CLI, scheduled_for=NOON, now=NOON)
    first = actions.do_record_meeting(acting_user=CLI, held_at=FIRST, chaired_by="王市长")
    Person.objects.create(name="李四", village=world.village)
    Person.objects.create(name="王五", village=world.village)
    late = actions.do_issue_directive(
        acting_user=CLI,
        title="东铺头社区物资配送到户",
        area=world.village,
        due_at=dt.datetime(2021, 9, 14, 18, 0, tzinfo=LOCAL_TZ),
        now=FIRST,
        meeting=first,
    )
    actions.do_take_report(acting_user=CLI, scheduled_for=EVENING, now=EVENING)
    second = actions.do_record_meeting(acting_user=CLI, held_at=SECOND, notes="第二次调度会")
    return first, second, late


def _change(pack, code, name):
    return next(
        (c for a in pack.areas if a.area.code == code for c in a.changes if c.row.name == name),
        None,
    )


def test_the_pack_compares_the_reports_of_the_two_meetings(world, meetings):
    first, second, late = meetings
    pack = queries.meeting_pack(second, world.commander)
    assert pack.previous == first and pack.as_of == SECOND
    assert pack.report.scheduled_for == EVENING and pack.base_report.scheduled_for == NOON
    city = _change(pack, world.city.code, "people.persons")
    assert (city.row.value, city.before.value, city.change) == (3, 1, 2)
    assert city.change_text() == "+2" and city.before_text() == "1"
    # 龙海区 has nobody at either report: unchanged, so not in the changes.
    assert _change(pack, world.other_county.code, "people.persons") is None
    # Every number is a stored row of the two reports.
    for area in pack.areas:
        for c in area.changes:
            assert ReportFigure.objects.get(pk=c.row.pk).value == c.row.value
            assert c.before is None or c.before.report_id == pack.base_report.pk
    # What is overdue: the ledger as of the meeting.
    assert [r.item.deadline for r in pack.ledger.open] == ["command.directive"]
    assert TITLE in pack.ledger.open[0].item.what
    # The first meeting's pack: no earlier meeting, changes since the report before.
    first_pack = queries.meeting_pack(first, world.commander)
    assert first_pack.previous is None and first_pack.base_report is None
    assert first_pack.ledger.open == [] and first_pack.decisions == [late]


def test_a_decision_is_a_directive_linked_to_the_meeting(world, meetings, in_english):
    _first, second, _late = meetings
    after = SECOND + dt.timedelta(minutes=30)
    directive = actions.do_record_decision(
        second,
        acting_user=world.commander,
        title="全员核酸第三轮",
        area=world.county,
        due_at=after + dt.timedelta(hours=24),
        now=after,
    )
    assert directive.meeting == second and directive.issued_by_name
    event = AuditEvent.objects.get(action="directive.issue", object_id=str(directive.pk))
    assert event.detail["meeting"] == second.pk
    assert queries.meeting_pack(second, world.commander).decisions == [directive]
    # A directive's own rules hold: the deadline after now, ``approve`` over the area.
    with pytest.raises(ValidationError) as refused:
        actions.do_record_decision(
            second,
            acting_user=world.commander,
            title="x",
            area=world.county,
            due_at=after,
            now=after,
        )
    assert "is not after the directive is issued" in str(refused.value)
    with pytest.raises(PermissionDenied):
        actions.do_record_decision(
            second,
            acting_user=world.leader,
            title="x",
            area=world.county,
            due_at=after + dt.timedelta(hours=1),
            now=after,
        )
    # Not before the meeting's day.
    with pytest.raises(ValidationError) as early:
        actions.do_record_decision(
            second,
            acting_user=world.commander,
            title="x",
            area=world.county,
            due_at=SECOND,
            now=SECOND - dt.timedelta(days=1),
        )
    assert "has not been held yet" in str(early.value)


def test_a_meeting_is_recorded_once_by_the_citys_headquarters(world, meetings, in_english):
    with pytest.raises(ValidationError) as twice:
        actions.do_record_meeting(acting_user=world.commander, held_at=SECOND)
    assert "2021-09-14 21:00" in str(twice.value) and "recorded already" in str(twice.value)
    with pytest.raises(PermissionDenied):
        actions.do_record_meeting(acting_user=world.tracer, held_at=SECOND + dt.timedelta(days=1))
    assert AuditEvent.objects.filter(action="meeting.record").count() == 2


def test_a_county_reads_its_own_part_and_an_outsider_is_refused(world, meetings, client_for):
    _first, second, _late = meetings
    pack = queries.meeting_pack(second, world.other_county_staff)
    assert {a.area.code for a in pack.areas} <= {world.other_county.code}
    assert pack.ledger.open == [] and pack.decisions == []
    county = queries.meeting_pack(second, world.tracer)
    assert {a.area.code for a in county.areas} == {world.county.code}
    assert [r.item.deadline for r in county.ledger.open] == ["command.directive"]
    assert (
        client_for(world.outsider).get(reverse("command:meeting", args=[second.pk])).status_code
        == 403
    )
    assert (
        client_for(world.other_county_staff)
        .get(reverse("command:meeting", args=[second.pk]))
        .content.decode()
        .count("东铺头社区物资配送到户")
        == 0
    )


FIGURE_CELL = re.compile(r'data-value="([^"]+)">([^<]+)<')


def test_the_page_records_a_meeting_and_a_decision_and_shows_stored_numbers(
    world, meetings, client_for
):
    page = client_for(world.commander)
    response = page.post(
        reverse("command:meetings"), {"held_at": "2021-09-15T09:00", "chaired_by": "王市长"}
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(held_at=dt.datetime(2021, 9, 15, 9, 0, tzinfo=LOCAL_TZ))
    due = "2099-01-01T12:00"
    response = page.post(
        reverse("command:meeting", args=[meeting.pk]),
        {"title": "隔离酒店扩容", "area": world.county.pk, "due_at": due},
    )
    assert response.status_code == 302
    assert Directive.objects.get(title="隔离酒店扩容").meeting == meeting
    html = page.get(reverse("command:meeting", args=[meeting.pk])).content.decode()
    assert "隔离酒店扩容" in html and "王市长" in html
    # The second meeting's page: each value cell is a stored figure of the report.
    html = page.get(reverse("command:meeting", args=[meetings[1].pk])).content.decode()
    stored = {f.value for f in ReportFigure.objects.filter(report__scheduled_for=EVENING)}
    cells = FIGURE_CELL.findall(html)
    assert cells and all(float(raw) in stored for raw, _text in cells)
    assert 'data-change="2.0"' in html
    printed = page.get(reverse("command:meeting-file", args=[meetings[1].pk, "print"]))
    assert printed.status_code == 200 and "东铺头社区物资配送到户" in printed.content.decode()
    # A leader reads the pack but records nothing.
    leader = client_for(world.leader)
    assert leader.post(
        reverse("command:meetings"), {"held_at": "2021-09-16T09:00"}
    ).status_code in (
        200,
        403,
    )
    assert not Meeting.objects.filter(held_at__date=dt.date(2021, 9, 16)).exists()


def test_the_word_and_pdf_files_hold_the_pack(world, meetings, client_for):
    _first, second, _late = meetings
    page = client_for(world.commander)
    response = page.get(reverse("command:meeting-file", args=[second.pk, "docx"]))
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "调度会" in text or "daily meeting" in text.lower()
    assert any(TITLE in c for c in cells) and "+2" in cells
    pdf = page.get(reverse("command:meeting-file", args=[second.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert page.get(reverse("command:meeting-file", args=[second.pk, "xls"])).status_code == 404


def test_the_api_records_reads_decides_and_exports(world, meetings, api_for):
    _first, second, _late = meetings
    api = api_for(world.commander)
    listed = api.get("/api/v1/command/meetings/").json()
    assert [m["id"] for m in listed] == [second.pk, meetings[0].pk]
    pack = api.get(f"/api/v1/command/meetings/{second.pk}/").json()
    change = next(
        c for c in pack["changes"] if c["area"] == world.city.code and c["name"] == "people.persons"
    )
    assert (change["value"], change["before"], change["change"]) == (3, 1, 2)
    assert [o["deadline"] for o in pack["overdue"]] == ["command.directive"]
    made = api.post(
        "/api/v1/command/meetings/",
        {"held_at": "2021-09-15T09:00:00+08:00", "chaired_by": "王市长"},
        format="json",
    )
    assert made.status_code == 201
    again = api.post(
        "/api/v1/command/meetings/", {"held_at": "2021-09-15T09:00:00+08:00"}, format="json"
    )
    assert again.status_code == 400 and "2021-09-15 09:00" in json.dumps(
        again.json(), ensure_ascii=False
    )
    decided = api.post(
        f"/api/v1/command/meetings/{made.json()['id']}/decisions/",
        {"title": "隔离酒店扩容", "area": world.county.code, "due_at": "2099-01-01T12:00:00+08:00"},
        format="json",
    )
    assert decided.status_code == 201
    assert Directive.objects.get(pk=decided.json()["id"]).meeting_id == made.json()["id"]
    refused = api_for(world.leader).post(
        f"/api/v1/command/meetings/{second.pk}/decisions/",
        {"title": "x", "area": world.county.code, "due_at": "2099-01-01T12:00:00+08:00"},
        format="json",
    )
    assert refused.status_code == 403
    assert api_for(world.outsider).get(f"/api/v1/command/meetings/{second.pk}/").status_code == 403
    docx = api.get(f"/api/v1/command/meetings/{second.pk}/docx/")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


def test_the_command_line_records_packs_decides_and_exports(world, meetings, tmp_path, capsys):
    _first, second, _late = meetings
    call_command("meeting", "record", "--at", "2021-09-15 09:00", "--chair", "王市长")
    made = Meeting.objects.get(held_at=dt.datetime(2021, 9, 15, 9, 0, tzinfo=LOCAL_TZ))
    call_command(
        "meeting",
        "decide",
        str(made.pk),
        "隔离酒店扩容",
        "--area",
        world.county.code,
        "--due",
        "2099-01-01 12:00",
    )
    assert Directive.objects.get(title="隔离酒店扩容").meeting == made
    capsys.readouterr()
    call_command("meeting", "pack", str(second.pk), "--json")
    pack = json.loads(capsys.readouterr().out)
    assert [o["deadline"] for o in pack["overdue"]] == ["command.directive"]
    call_command("meeting", "pack", str(second.pk))
    out = capsys.readouterr().out
    assert "overdue: 1" in out and "+2" in out
    target = tmp_path / "pack.docx"
    call_command("meeting", "export", str(second.pk), "--out", str(target))
    assert target.read_bytes()[:2] == b"PK"
    call_command("meeting", "list")
    assert "1 decision(s)" in capsys.readouterr().out
