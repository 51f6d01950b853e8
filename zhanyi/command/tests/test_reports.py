"""The twice-daily report (每日两报): taken by the clock or a commander,
immutable, scoped, exported, and every number from the figures registry."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from zhanyi.command import actions, exports, queries
from zhanyi.command.actions.reports import latest_slot
from zhanyi.command.models import Report, ReportFigure
from zhanyi.command.periodic import take_report
from zhanyi.core import metrics
from zhanyi.core.audit import SystemActor
from zhanyi.core.models import AuditEvent
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.people.models import Person

pytestmark = pytest.mark.django_db

CLI = SystemActor("cli:test")
NOON = dt.datetime(2021, 9, 14, 12, 0, tzinfo=LOCAL_TZ)
EVENING = dt.datetime(2021, 9, 14, 20, 0, tzinfo=LOCAL_TZ)


def take(at: dt.datetime, user=CLI) -> Report:
    return actions.do_take_report(acting_user=user, scheduled_for=at)


def stored(report: Report) -> dict[tuple[str, str], ReportFigure]:
    return {(f.area.code, f.name): f for f in report.figures.select_related("area")}


def test_a_report_holds_every_registered_figure_for_the_city_and_each_county(world):
    Person.objects.create(name="张三", village=world.village)
    report = take(NOON)
    rows = stored(report)
    names = {f.name for f in metrics.registered()}
    for area in (world.city, world.county, world.other_county):
        assert {name for code, name in rows if code == area.code} == names
        computed = {v["name"]: v["value"] for v in metrics.compute(area=area)}
        assert {n: rows[area.code, n].value for n in names} == pytest.approx(computed)
    assert rows[world.county.code, "people.persons"].value == 1
    assert rows[world.other_county.code, "people.persons"].value == 0
    assert rows[world.city.code, "people.persons"].change is None  # the first report


def test_the_change_is_since_the_last_report_and_earlier_reports_stay_as_issued(world):
    Person.objects.create(name="张三", village=world.village)
    noon = take(NOON)
    Person.objects.create(name="李四", village=world.village)
    Person.objects.create(name="王五", village=world.other_village)
    evening = take(EVENING)
    assert evening.previous == noon
    after = stored(evening)
    assert after[world.city.code, "people.persons"].value == 3
    assert after[world.city.code, "people.persons"].change == 2
    assert after[world.county.code, "people.persons"].change == 1
    assert after[world.county.code, "people.persons"].change_text() == "+1"
    Person.objects.create(name="赵六", village=world.village)
    before = stored(Report.objects.get(pk=noon.pk))
    assert before[world.city.code, "people.persons"].value == 1
    assert stored(Report.objects.get(pk=evening.pk))[world.city.code, "people.persons"].value == 3


@pytest.mark.django_db(transaction=True)
def test_the_figures_are_computed_before_the_write_begins(world, monkeypatch):
    """On SQLite a transaction holds the one write lock from its start: a
    report computed inside one kept every login waiting for minutes."""
    seen = []

    def probe(area):
        seen.append(connection.in_atomic_block)
        return 1

    probe_figure = metrics.Figure("test.probe", "probe", "", probe, 999)
    monkeypatch.setitem(metrics._REGISTRY, "test.probe", probe_figure)
    report = take(NOON)
    assert seen and not any(seen)
    assert report.figures.filter(name="test.probe").count() == len(seen)


def test_a_reports_figures_are_never_changed_or_deleted(world):
    row = take(NOON).figures.first()
    row.value = 999
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()


@translation.override("zh-hans")
def test_a_slot_is_taken_once_and_only_at_the_report_times(world):
    take(NOON)
    with pytest.raises(ValidationError) as again:
        take(NOON)
    assert again.value.message_dict == {"scheduled_for": ["2021-09-14 12:00 的报告已经生成。"]}
    with pytest.raises(ValidationError) as odd:
        take(dt.datetime(2021, 9, 14, 13, 0, tzinfo=LOCAL_TZ))
    assert odd.value.messages == ["报告在 12:00, 20:00 生成，不在 13:00。"]
    future = timezone.now() + dt.timedelta(days=2)
    slot = dt.datetime.combine(future.astimezone(LOCAL_TZ).date(), dt.time(12), tzinfo=LOCAL_TZ)
    with pytest.raises(ValidationError) as early:
        take(slot)
    assert "未到时间" in early.value.messages[0]


def test_the_clock_takes_the_latest_slot_once(world):
    now = dt.datetime(2021, 9, 14, 20, 7, tzinfo=LOCAL_TZ)
    assert latest_slot(now) == EVENING
    assert latest_slot(dt.datetime(2021, 9, 14, 9, 0, tzinfo=LOCAL_TZ)) == dt.datetime(
        2021, 9, 13, 20, 0, tzinfo=LOCAL_TZ
    )
    assert take_report(now).startswith("took")
    assert take_report(now + dt.timedelta(minutes=5)) == "no report due"
    assert list(Report.objects.values_list("scheduled_for", flat=True)) == [EVENING]
    assert Report.objects.get().taken_by == "scheduler"


def test_a_report_the_scheduler_took_says_so_in_words(world, client_for):
    take_report(dt.datetime(2021, 9, 14, 20, 7, tzinfo=LOCAL_TZ))
    client = client_for(world.commander)
    client.cookies["django_language"] = "zh-hans"
    listed = client.get(reverse("command:report-list")).content.decode()
    shown = client.get(reverse("command:report-detail", args=[Report.objects.get().pk]))
    for page in (listed, shown.content.decode()):
        assert "定时任务" in page and "scheduler" not in page


@override_settings(REPORT_TIMES=["08:30"])
def test_the_report_times_are_configurable(world):
    assert latest_slot(dt.datetime(2021, 9, 14, 20, 0, tzinfo=LOCAL_TZ)) == dt.datetime(
        2021, 9, 14, 8, 30, tzinfo=LOCAL_TZ
    )
    with pytest.raises(ValidationError):
        take(NOON)


@translation.override("en")
def test_only_the_citys_decision_makers_take_a_report_or_comment(world):
    for user in (world.tracer, world.leader, world.outsider):
        with pytest.raises(PermissionDenied):
            take(NOON, user)
    world.tracer.role = "commander"  # a county's commander: not the city's
    with pytest.raises(PermissionDenied, match="Only the city's headquarters"):
        take(NOON, world.tracer)
    with pytest.raises(PermissionDenied, match="needs a headquarters decision-maker"):
        take(NOON, world.leader)
    report = take(NOON, world.commander)
    assert report.taken_by == "commander"
    with pytest.raises(PermissionDenied):
        actions.do_comment_report(report, acting_user=world.leader, commentary="x")


def test_the_commentary_is_audited_with_its_old_and_new_text(world):
    report = take(NOON)
    actions.do_comment_report(report, acting_user=world.commander, commentary="平稳")
    actions.do_comment_report(report, acting_user=world.commander, commentary="新增1例")
    event = AuditEvent.objects.filter(action="report.comment").order_by("-id").first()
    assert event.detail == {"old": "平稳", "new": "新增1例"}
    assert AuditEvent.objects.filter(action="report.take", object_id=str(report.pk)).exists()


# Every number on the report's page and in its files is a stored figure: a
# page that computed one of its own (a count in a template, a sum in a view)
# would put a number outside the cells that carry data-figure.

DATE_OR_TIME = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?|\d{2}:\d{2}")


class _Numbers(HTMLParser):
    """Text of a page outside the figure cells, scripts, styles and charts,
    and the figure cells' (area, figure, value) triples."""

    def __init__(self):
        super().__init__()
        self.free_text: list[str] = []
        self.cells: list[tuple[str, str, str, str]] = []
        self._stack: list[dict] = []
        self._area = ""
        self._figure = ""
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("svg", "script", "style") or "data-label" in attrs:
            self._skip += 1  # a chart, or a figure's registered label ("8小时内安置比例")
        if "data-area" in attrs:
            self._area = attrs["data-area"]
        if "data-figure" in attrs:
            self._figure = attrs["data-figure"]
        kind = "value" if "data-value" in attrs else "change" if "data-change" in attrs else ""
        skips = tag in ("svg", "script", "style") or "data-label" in attrs
        self._stack.append({"tag": tag, "kind": kind, "skips": skips})

    def handle_endtag(self, tag):
        while self._stack:
            opened = self._stack.pop()
            if opened["skips"]:
                self._skip -= 1
            if opened["tag"] == tag:
                break

    def handle_data(self, data):
        if self._skip:
            return
        cell = next((s for s in reversed(self._stack) if s["kind"]), None)
        if cell is None:
            self.free_text.append(data)
        elif data.strip():
            self.cells.append((self._area, self._figure, cell["kind"], data.strip()))


def _numbers_of(html: str) -> _Numbers:
    parser = _Numbers()
    parser.feed(html)
    return parser


def _plain(text: str) -> float:
    return float(text.replace(",", "").replace("+", "").replace("−", "-"))


def assert_every_number_is_a_stored_figure(html: str, report: Report) -> int:
    page = _numbers_of(html)
    stray = DATE_OR_TIME.sub("", " ".join(page.free_text))
    assert not re.search(r"\d", stray), f"a number not from the figures registry: {stray!r}"
    rows = stored(report)
    for area, name, kind, text in page.cells:
        row = rows[area, name]
        assert _plain(text) == pytest.approx(row.value if kind == "value" else row.change, abs=0.05)
    return len(page.cells)


@pytest.fixture
def two_reports(world):
    Person.objects.create(name="张三", village=world.village)
    noon = take(NOON)
    Person.objects.create(name="李四", village=world.other_village)
    evening = take(EVENING)
    actions.do_comment_report(evening, acting_user=CLI, commentary="今日新增人员录入")
    return noon, evening


def test_every_number_on_the_report_page_comes_from_the_figures_registry(
    world, client_for, two_reports
):
    _noon, evening = two_reports
    page = client_for(world.commander).get(reverse("command:report-detail", args=[evening.pk]))
    html = page.content.decode()
    cells = assert_every_number_is_a_stored_figure(html, evening)
    assert cells == 2 * 3 * len(metrics.registered())  # value and change, three areas
    assert "今日新增人员录入" in html
    assert "<svg" in html  # the charts


def test_the_check_catches_a_number_a_page_computed_itself(world, two_reports):
    _noon, evening = two_reports
    with pytest.raises(AssertionError, match="not from the figures registry"):
        assert_every_number_is_a_stored_figure(
            '<section data-area="x"><p>共 2 人</p></section>', evening
        )


def test_a_county_sees_only_its_own_figures_and_an_outsider_is_refused(
    world, client_for, two_reports
):
    _noon, evening = two_reports
    url = reverse("command:report-detail", args=[evening.pk])
    page = client_for(world.tracer).get(url)
    assert page.status_code == 200
    assert [s.area for s in page.context["sheet"].areas] == [world.county]
    assert 'data-area="350604"' not in page.content.decode()
    assert client_for(world.outsider).get(url).status_code == 403
    assert client_for(world.outsider).get(reverse("command:report-list")).status_code == 403


def test_the_list_takes_the_latest_report_for_a_commander_and_refuses_a_leader(world, client_for):
    assert client_for(world.leader).post(reverse("command:report-list")).status_code == 403
    page = client_for(world.commander).post(reverse("command:report-list"))
    report = Report.objects.get()
    assert page.status_code == 302
    assert report.scheduled_for == latest_slot(timezone.now())
    listing = client_for(world.leader).get(reverse("command:report-list"))
    assert f"/reports/{report.pk}/" in listing.content.decode()


def test_a_leader_cannot_write_the_commentary(world, client_for, two_reports):
    _noon, evening = two_reports
    url = reverse("command:report-detail", args=[evening.pk])
    assert client_for(world.leader).post(url, {"commentary": "x"}).status_code == 403
    client_for(world.commander).post(url, {"commentary": "稳中向好"})
    assert Report.objects.get(pk=evening.pk).commentary == "稳中向好"


def test_the_word_document_holds_the_stored_figures_and_the_charts(world, client_for, two_reports):
    _noon, evening = two_reports
    response = client_for(world.commander).get(
        reverse("command:report-file", args=[evening.pk, "docx"])
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "2021-09-14 20:00" in text
    assert "今日新增人员录入" in text
    assert len(doc.inline_shapes) == 2  # the two charts
    rows = stored(evening)
    codes = [world.city.code, world.county.code, world.other_county.code]
    for table, code in zip(doc.tables, codes, strict=True):
        by_label = {r.cells[0].text: r.cells for r in table.rows[1:]}
        persons = by_label[str(metrics.get("people.persons").label)]
        assert persons[1].text == rows[code, "people.persons"].value_text()
        assert persons[3].text == rows[code, "people.persons"].change_text()


def test_a_word_table_keeps_every_cell_as_written():
    doc = Document()
    rows = [["张三 & <李四>", "1,234", "人", "+3"], ["\x07铃", "", " 前后空格 ", "−2"]]
    exports.add_table(doc, ["a", "b", "c", "d"], rows)
    saved = io.BytesIO()
    doc.save(saved)
    table = Document(io.BytesIO(saved.getvalue())).tables[0]
    assert [[c.text for c in r.cells] for r in table.rows] == [
        ["a", "b", "c", "d"],
        ["张三 & <李四>", "1,234", "人", "+3"],
        ["铃", "", " 前后空格 ", "−2"],  # a control character XML cannot hold is dropped
    ]
    assert table.style.name == "Light Grid Accent 1"


def test_the_pdf_holds_the_report_in_an_embedded_chinese_font(world, client_for, two_reports):
    _noon, evening = two_reports
    response = client_for(world.commander).get(
        reverse("command:report-file", args=[evening.pk, "pdf"])
    )
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "2021-09-14 20:00" in text
    assert "今日新增人员录入" in text  # Chinese, so a CJK font is embedded
    assert str(metrics.get("people.persons").label) in text
    fonts = {
        str(font["/BaseFont"])
        for page in pdf.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("WenQuanYi" in f or "Noto" in f for f in fonts), fonts
    assert any(page.images for page in pdf.pages)  # the charts
    # A table of figures × areas, not a page per area: the page where the table
    # starts names every area side by side (the number of pages grows with the
    # figures the apps register, so it is no measure of the layout).
    areas = queries.report_sheet(evening, world.commander).areas
    label = str(metrics.get("people.persons").label)
    table_page = next(p.extract_text() for p in pdf.pages if label in p.extract_text())
    assert len(areas) > 1
    assert all(sheet.area.name in table_page for sheet in areas), table_page[:300]


def test_the_printed_tables_put_the_areas_side_by_side(world, two_reports):
    _noon, evening = two_reports
    sheet = queries.report_sheet(evening, world.commander)
    tables = exports.print_tables(sheet, columns=2)
    assert [[a.code for a in t["areas"]] for t in tables] == [
        [world.city.code, world.county.code],
        [world.other_county.code],
    ]
    rows = stored(evening)
    for table in tables:
        assert [r["figure"].name for r in table["rows"]] == [f.name for f in sheet.areas[0].figures]
        for row in table["rows"]:
            for area, cell in zip(table["areas"], row["cells"], strict=True):
                assert cell == rows[area.code, row["figure"].name]


def test_the_charts_are_drawn_once_for_the_page_and_every_file(
    world, client_for, two_reports, monkeypatch
):
    _noon, evening = two_reports
    from zhanyi.command import charts

    drawn = []
    real = charts.png
    monkeypatch.setattr(charts, "png", lambda fig: drawn.append(fig) or real(fig))
    client = client_for(world.commander)
    for fmt in ("docx", "pdf", "docx"):
        response = client.get(reverse("command:report-file", args=[evening.pk, fmt]))
        assert response.status_code == 200
    assert len(drawn) == 2  # the two charts, once
    Person.objects.create(name="李四", village=world.village)
    later = take(dt.datetime(2021, 9, 15, 12, 0, tzinfo=LOCAL_TZ))
    assert client.get(reverse("command:report-file", args=[later.pk, "pdf"])).status_code == 200
    assert len(drawn) == 4  # another report shows other numbers: drawn again


def test_a_pdf_is_drawn_once_per_page_it_shows(world, client_for, two_reports, monkeypatch):
    _noon, evening = two_reports
    import weasyprint

    drawn = []
    real = weasyprint.HTML.write_pdf
    monkeypatch.setattr(
        weasyprint.HTML, "write_pdf", lambda self, *a, **k: drawn.append(1) or real(self, *a, **k)
    )
    url = reverse("command:report-file", args=[evening.pk, "pdf"])
    first = client_for(world.commander).get(url).content
    assert client_for(world.commander).get(url).content == first
    assert len(drawn) == 1  # the same page: the kept PDF
    county = client_for(world.tracer).get(url).content  # a county's reach
    assert len(drawn) == 2 and county != first
    actions.do_comment_report(evening, acting_user=CLI, commentary="晚间复核")
    changed = client_for(world.commander).get(url).content
    assert len(drawn) == 3
    assert "晚间复核" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(changed)).pages)


def test_the_workbook_holds_the_stored_figures_and_native_charts(world, client_for, two_reports):
    _noon, evening = two_reports
    response = client_for(world.tracer).get(
        reverse("command:report-file", args=[evening.pk, "xlsx"])
    )
    book = load_workbook(io.BytesIO(response.content))
    figures, chart_sheet = book.worksheets
    rows = list(figures.iter_rows(min_row=5, values_only=True))
    assert {r[0] for r in rows} == {world.county.name}  # a county's staff: its county only
    persons = next(r for r in rows if r[1] == str(metrics.get("people.persons").label))
    assert persons[2] == 1 and persons[4] == 0
    assert len(chart_sheet._charts) == 2


def test_the_api_lists_takes_shows_comments_and_exports(world, api_for):
    api = api_for(world.commander)
    made = api.post("/api/v1/command/reports/", {"scheduled_for": "2021-09-14T12:00:00+08:00"})
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    again = api.post("/api/v1/command/reports/", {"scheduled_for": "2021-09-14T12:00:00+08:00"})
    assert again.status_code == 400
    assert "scheduled_for" in again.json()
    assert [r["id"] for r in api.get("/api/v1/command/reports/").json()] == [pk]
    detail = api.get(f"/api/v1/command/reports/{pk}/").json()
    report = Report.objects.get(pk=pk)
    rows = stored(report)
    for f in detail["figures"]:
        assert f["value"] == rows[f["area"], f["name"]].value
    said = api.post(f"/api/v1/command/reports/{pk}/commentary/", {"commentary": "平稳"})
    assert said.json()["commentary"] == "平稳"
    xlsx = api.get(f"/api/v1/command/reports/{pk}/xlsx/")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    tracer = api_for(world.tracer)
    assert {f["area"] for f in tracer.get(f"/api/v1/command/reports/{pk}/").json()["figures"]} == {
        world.county.code
    }
    refused = tracer.post("/api/v1/command/reports/", {"scheduled_for": "2021-09-14T20:00+08:00"})
    assert refused.status_code == 403
    assert api_for(world.outsider).get("/api/v1/command/reports/").status_code == 403
    assert api.get("/api/v1/command/reports/999999/").status_code == 404


def test_the_command_line_takes_shows_and_exports(world, tmp_path, capsys):
    Person.objects.create(name="张三", village=world.village)
    call_command("report", "take", "--at", "2021-09-14 20:00")
    report = Report.objects.get()
    assert report.scheduled_for == EVENING and report.taken_by.startswith("cli:")
    capsys.readouterr()
    call_command("report", "show", str(report.pk), "--json")
    rows = json.loads(capsys.readouterr().out)
    persons = {r["area"]: r["value"] for r in rows if r["name"] == "people.persons"}
    assert persons == {world.city.code: 1, world.county.code: 1, world.other_county.code: 0}
    out = tmp_path / "report.docx"
    call_command("report", "export", str(report.pk), "--format", "docx", "--out", str(out))
    assert Document(str(out)).paragraphs
    call_command("report", "comment", str(report.pk), "平稳")
    assert Report.objects.get().commentary == "平稳"
