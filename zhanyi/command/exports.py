"""The twice-daily report as files: Word (.docx), PDF and Excel.

Each is written from the report's stored figures (``queries.report_sheet``),
never from a new computation, so a file made today of the 14 September
report says what the report said then. The PDF is the print page rendered by
WeasyPrint; the Word document and the workbook are built by python-docx and
openpyxl, with the same two charts (a picture in Word, native charts in
Excel).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from xml.sax.saxutils import escape

from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font

from zhanyi.core.actors import actor_label
from zhanyi.engine.protocol import LOCAL_TZ

from .models import ReportFigure
from .queries import MeetingPack, ReportSheet

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def title(sheet: ReportSheet) -> str:
    when = sheet.report.scheduled_for.astimezone(LOCAL_TZ)
    return _("Twice-daily report of %(date)s %(time)s") % {
        "date": f"{when:%Y-%m-%d}",
        "time": f"{when:%H:%M}",
    }


def chart_titles() -> tuple[str, str]:
    return _("By county"), _("Over the last reports")


#: How long a drawn chart is kept: its inputs are in its key, so it never goes stale.
CHART_CACHE_SECONDS = 24 * 3600


def _drawn(sheet: ReportSheet, fmt: str) -> tuple[bytes | str, bytes | str]:
    """The two charts drawn as ``fmt`` ("png" or "svg"), each drawn once: the
    drawing is kept in the shared cache under a digest of what it shows
    (titles, labels, areas, values, the trend's reports), so the page, the
    Word file and the PDF of the same report draw them once between them."""
    by_county_title, trend_title = chart_titles()
    names = [name for name, _label in sheet.chart_figures]
    areas = sheet.areas[1:] if len(sheet.areas) > 1 else sheet.areas
    shown = [
        fmt,
        by_county_title,
        trend_title,
        sheet.chart_figures,
        [
            (a.area.name, [a.by_name()[n].value if n in a.by_name() else 0 for n in names])
            for a in areas
        ],
        [(r.scheduled_for.isoformat(), [v.get(n) for n in names]) for r, v in sheet.trend],
    ]
    digest = hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()
    key = f"zhanyi:report-charts:v1:{digest}"
    cache = caches["default"]
    if (drawn := cache.get(key)) is not None:
        return drawn
    from . import charts  # matplotlib takes seconds to import: only drawing needs it

    figures = (
        charts.by_county(sheet, title=by_county_title),
        charts.trend(sheet, title=trend_title),
    )
    if fmt == "svg":
        drawn = (charts.svg(figures[0], "by-county"), charts.svg(figures[1], "trend"))
    else:
        drawn = (charts.png(figures[0]), charts.png(figures[1]))
    cache.set(key, drawn, CHART_CACHE_SECONDS)
    return drawn


def chart_svgs(sheet: ReportSheet) -> tuple[str, str]:
    by_county, trend = _drawn(sheet, "svg")
    return str(by_county), str(trend)


def headers() -> list[str]:
    return [_("Figure"), _("Value"), _("Unit"), _("Change since the last report")]


#: Characters XML 1.0 cannot hold (a control character in a stored label or name).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def add_table(doc, header: list[str], rows: list[list[str]], style: str = "Light Grid Accent 1"):
    """A Word table of ``header`` and ``rows`` (text), built as one piece of
    XML: python-docx's ``add_row`` and ``cells`` walk the whole table for every
    row, so a report of 127 figures for 17 areas took seconds of CPU in
    them. The cells are what ``cell.text`` writes (a paragraph with one run),
    each as wide as its grid column."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = style
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    widths = [col.get(qn("w:w")) for col in table._tbl.tblGrid.gridCol_lst]

    def cell(text: str, width: str) -> str:
        text = _NOT_XML.sub("", str(text))
        run = f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""
        return f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr><w:p>{run}</w:p></w:tc>'

    body = "".join(
        "<w:tr>" + "".join(cell(t, w) for t, w in zip(row, widths, strict=True)) + "</w:tr>"
        for row in rows
    )
    for tr in parse_xml(f"<w:tbl {nsdecls('w')}>{body}</w:tbl>").findall(qn("w:tr")):
        table._tbl.append(tr)
    return table


def docx_bytes(sheet: ReportSheet) -> bytes:
    from . import charts  # matplotlib takes seconds to import: only drawing needs it

    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(10)
    style.font.name = charts.FONT_FAMILY[0]
    style.element.get_or_add_rPr().get_or_add_rFonts().set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia",
        charts.FONT_FAMILY[0],
    )
    doc.add_heading(title(sheet), level=0)
    report = sheet.report
    doc.add_paragraph(
        _("Taken at %(time)s by %(who)s.")
        % {
            "time": f"{report.taken_at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}",
            "who": actor_label(report.taken_by),
        }
    )
    doc.add_heading(_("Commentary of the coordination desk"), level=1)
    doc.add_paragraph(report.commentary or _("No commentary yet."))
    for area_sheet in sheet.areas:
        doc.add_heading(area_sheet.area.name, level=1)
        add_table(
            doc,
            headers(),
            [
                [f.shown_label(), f.value_text(), f.shown_unit(), f.change_text()]
                for f in area_sheet.figures
            ],
        )
    for picture in _drawn(sheet, "png"):
        if picture:
            doc.add_picture(io.BytesIO(bytes(picture)), width=Cm(16))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def page_context(sheet: ReportSheet, charts: tuple[str, str] | None = None) -> dict:
    """What the report's page and its print page show: the stored figures and
    the charts (``charts``: already drawn; by default as SVG)."""
    by_county, trend = charts if charts is not None else chart_svgs(sheet)
    return {
        "report": sheet.report,
        "sheet": sheet,
        "title": title(sheet),
        "chart_by_county": by_county,
        "chart_trend": trend,
    }


def chart_images(sheet: ReportSheet) -> tuple[str, str]:
    """The charts as PNG images in the page (WeasyPrint draws SVG without
    the styles matplotlib writes: pictures print as they are drawn)."""
    images = []
    for picture in _drawn(sheet, "png"):
        data = base64.b64encode(bytes(picture)).decode("ascii")
        images.append(f'<img src="data:image/png;base64,{data}" alt="">' if picture else "")
    return images[0], images[1]


#: Areas side by side in one table of the printed report (A4 landscape).
PRINT_COLUMNS = 12


def print_tables(sheet: ReportSheet, columns: int = PRINT_COLUMNS) -> list[dict]:
    """The printed report's tables: a row per figure, a column per area
    (``columns`` areas a table), each cell the figure as stored (None where
    the area has no such row); one or two pages instead of one per area."""
    order: dict[str, ReportFigure] = {}
    for area_sheet in sheet.areas:
        for f in area_sheet.figures:
            order.setdefault(f.name, f)
    held = [area_sheet.by_name() for area_sheet in sheet.areas]
    tables = []
    for start in range(0, len(sheet.areas), columns):
        chunk = range(start, min(start + columns, len(sheet.areas)))
        tables.append(
            {
                "areas": [sheet.areas[i].area for i in chunk],
                "rows": [
                    {"figure": f, "cells": [held[i].get(name) for i in chunk]}
                    for name, f in order.items()
                ],
            }
        )
    return tables


def pdf_bytes(sheet: ReportSheet) -> bytes:
    """The print page as a PDF. WeasyPrint takes seconds of CPU for a report
    of a hundred figures by 17 areas, and a report never changes: the PDF is
    kept in the shared cache under a digest of the page it is drawn from
    (figures, reach, language, commentary), so the same page is drawn once."""
    context = page_context(sheet, chart_images(sheet))
    context["tables"] = print_tables(sheet)
    html = render_to_string("command/report_print.html", context)
    key = f"zhanyi:report-pdf:v1:{hashlib.sha256(html.encode()).hexdigest()}"
    cache = caches["default"]
    if (pdf := cache.get(key)) is not None:
        return bytes(pdf)
    # WeasyPrint is heavy to import (Pango, fonts): only the PDF path needs it.
    from weasyprint import HTML

    pdf = HTML(string=html).write_pdf()
    cache.set(key, pdf, CHART_CACHE_SECONDS)
    return pdf


def xlsx_bytes(sheet: ReportSheet) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = _("Figures")[:31]
    ws.append([title(sheet)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_("Commentary of the coordination desk"), sheet.report.commentary])
    ws.append([])
    ws.append([_("Area"), *headers()])
    for area_sheet in sheet.areas:
        for f in area_sheet.figures:
            ws.append([area_sheet.area.name, f.shown_label(), f.value, f.shown_unit(), f.change])
    _chart_sheets(book, sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _chart_sheets(book: Workbook, sheet: ReportSheet) -> None:
    """The charts' data on a sheet of their own, with native Excel charts."""
    if not sheet.chart_figures:
        return
    by_county_title, trend_title = chart_titles()
    ws = book.create_sheet(_("Charts")[:31])
    names = [name for name, _label in sheet.chart_figures]
    areas = sheet.areas[1:] if len(sheet.areas) > 1 else sheet.areas
    ws.append([_("Area"), *[label for _name, label in sheet.chart_figures]])
    for area_sheet in areas:
        held = area_sheet.by_name()
        ws.append([area_sheet.area.name, *[held[n].value if n in held else None for n in names]])
    bars = BarChart()
    bars.title = by_county_title
    bars.add_data(
        Reference(ws, min_col=2, max_col=1 + len(names), min_row=1, max_row=1 + len(areas)),
        titles_from_data=True,
    )
    bars.set_categories(Reference(ws, min_col=1, min_row=2, max_row=1 + len(areas)))
    ws.add_chart(bars, f"A{len(areas) + 4}")
    first = len(areas) + 22
    ws.cell(row=first, column=1, value=_("Report"))
    for j, (_name, label) in enumerate(sheet.chart_figures, start=2):
        ws.cell(row=first, column=j, value=label)
    for i, (report, values) in enumerate(sheet.trend, start=first + 1):
        ws.cell(row=i, column=1, value=f"{report.scheduled_for.astimezone(LOCAL_TZ):%m-%d %H:%M}")
        for j, name in enumerate(names, start=2):
            ws.cell(row=i, column=j, value=values.get(name))
    lines = LineChart()
    lines.title = trend_title
    last = first + len(sheet.trend)
    lines.add_data(
        Reference(ws, min_col=2, max_col=1 + len(names), min_row=first, max_row=last),
        titles_from_data=True,
    )
    lines.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=last))
    ws.add_chart(lines, f"H{first}")


#: Each format's writer, from the report's stored figures.
WRITERS = {"docx": docx_bytes, "pdf": pdf_bytes, "xlsx": xlsx_bytes}


# -- the daily meeting's pack -------------------------------------------------------------


def meeting_title(pack: MeetingPack) -> str:
    when = pack.meeting.held_at.astimezone(LOCAL_TZ)
    return _("Pack of the daily meeting of %(date)s %(time)s") % {
        "date": f"{when:%Y-%m-%d}",
        "time": f"{when:%H:%M}",
    }


def meeting_headers() -> tuple[list[str], list[str], list[str]]:
    """The pack's three tables' headers: changes, overdue items, decisions."""
    return (
        [_("Figure"), _("Value now"), _("At the last meeting"), _("Change since then"), _("Unit")],
        [_("What"), _("Whose"), _("Task force"), _("Area"), _("Due"), _("Hours late")],
        [_("Decision taken"), _("Owner"), _("Area"), _("Deadline"), _("State")],
    )


def _local_text(value) -> str:
    return f"{value.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}" if value else ""


def meeting_docx_bytes(pack: MeetingPack) -> bytes:
    """The pack as a Word document: the same three parts as its page, every
    number a stored figure of the reports or an item of the ledger."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(10)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia",
        "WenQuanYi Micro Hei",
    )
    changes, overdue, decisions = meeting_headers()
    doc.add_heading(meeting_title(pack), level=0)
    meeting = pack.meeting
    if meeting.chaired_by:
        doc.add_paragraph(_("Chaired by %(who)s.") % {"who": meeting.chaired_by})
    if meeting.notes:
        doc.add_paragraph(meeting.notes)

    def table(header: list[str], rows: list[list[str]]) -> None:
        add_table(doc, header, rows)

    doc.add_heading(_("What changed since the last meeting"), level=1)
    doc.add_paragraph(meeting_changes_sentence(pack))
    for area in pack.areas:
        doc.add_heading(area.area.name, level=2)
        table(
            changes,
            [
                [
                    c.row.shown_label(),
                    c.row.value_text(),
                    c.before_text(),
                    c.change_text(),
                    c.row.shown_unit(),
                ]
                for c in area.changes
            ],
        )
    doc.add_heading(_("What is overdue"), level=1)
    table(
        overdue,
        [
            [
                r.item.what,
                r.item.whose,
                r.owner_label,
                r.item.area.name,
                _local_text(r.item.due_at),
                f"{r.late_hours:g}",
            ]
            for r in pack.ledger.open
        ],
    )
    doc.add_heading(_("Decisions taken"), level=1)
    table(
        decisions,
        [
            [d.title, d.owner_label(), d.area.name, _local_text(d.due_at), d.get_state_display()]
            for d in pack.decisions
        ],
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def meeting_changes_sentence(pack: MeetingPack) -> str:
    """Which reports the changes compare (the page says the same)."""
    if pack.report is None:
        return _("No twice-daily report was taken before this meeting.")
    values = {"now": _local_text(pack.report.scheduled_for)}
    if pack.base_report is not None:
        values["then"] = _local_text(pack.base_report.scheduled_for)
        return (
            _("The figures of the report of %(now)s beside those of %(then)s, the last meeting's.")
            % values
        )
    return _("The figures of the report of %(now)s beside the report before it.") % values


def meeting_pdf_bytes(pack: MeetingPack) -> bytes:
    # WeasyPrint is heavy to import (Pango, fonts): only the PDF path needs it.
    from weasyprint import HTML

    html = render_to_string("command/meeting_print.html", meeting_context(pack))
    return HTML(string=html).write_pdf()


def meeting_context(pack: MeetingPack) -> dict:
    return {
        "pack": pack,
        "meeting": pack.meeting,
        "title": meeting_title(pack),
        "changes_sentence": meeting_changes_sentence(pack),
    }


#: The pack's files, each from the stored reports, the ledger and the directives.
MEETING_WRITERS = {"docx": meeting_docx_bytes, "pdf": meeting_pdf_bytes}
