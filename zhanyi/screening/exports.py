"""Files the screening pages hand out, and the audit of reads of personal data.

The reply list (回复函) goes back to the region that pushed the people: who is
not in the city and where they are now, with full identity numbers (the
origin needs them to find the person), so it needs the ``export`` capability
and every download is audited.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from zhanyi.core import audit
from zhanyi.core.spreadsheet import text_cells
from zhanyi.engine.phones import format_phone

from .models import ScreeningTask
from .validation import TEMPLATE_HEADERS


def _book_bytes(header: list[str], rows: Iterable[list], title: str) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(text_cells(sheet, header))
    for row in rows:
        sheet.append(text_cells(sheet, row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_xlsx() -> bytes:
    """An empty push list with the recognised headers and one example row."""
    example = [
        "张三",
        "350602199001011234",
        "13905960000",
        "男",
        "1990-01-01",
        "漳州市芗城区东铺头街道东铺头社区胜利路1号",
        "密接",
        "莆田市",
        "高",
        "2021-09-10 08:00",
        "",
    ]
    return _book_bytes(list(TEMPLATE_HEADERS.values()), [example], _("Push list"))


def reply_xlsx(tasks: QuerySet[ScreeningTask]) -> bytes:
    header = [
        _("Name"),
        _("Identity number"),
        _("Phone"),
        _("Category"),
        _("Where they are now"),
        _("Checked at"),
        _("Checked by"),
        _("Notes"),
    ]

    def rows():
        for task in tasks.select_related("person").iterator(chunk_size=2000):
            person = task.person
            yield [
                person.name,
                person.identity_number,
                format_phone(person.phone) if person.phone else "",
                task.get_category_display(),
                task.current_location,
                task.closed_at.isoformat(timespec="minutes") if task.closed_at else "",
                task.closed_by_name,
                task.notes,
            ]

    return _book_bytes(header, rows(), _("Not in the city"))


def record_download(request, obj: Model, what: str, count: int | None = None) -> None:
    audit.record(
        actor=request.user,
        action=f"screening.export.{what}",
        obj=obj,
        detail={"rows": count} if count is not None else {},
        request=request,
    )


def record_list_view(request, what: str, page) -> None:
    """A list of pushed persons was read (one page of it): one audit record."""
    audit.record(
        actor=request.user,
        action=f"screening.list.{what}",
        object_type="screening.screeningtask" if what != "review" else "screening.pushrecord",
        detail={"ids": [o.pk for o in page], "page": getattr(page, "number", 1)},
        request=request,
    )


def record_view(request, obj: Model, persons: list) -> None:
    """A page showing pushed persons' data was read: one audit record."""
    area = getattr(obj, "area", None) or getattr(obj, "resolved_area", None)
    audit.record(
        actor=request.user,
        action="screening.view",
        obj=obj,
        detail={"persons": [p.pk for p in persons]},
        request=request,
        area=area,
    )
