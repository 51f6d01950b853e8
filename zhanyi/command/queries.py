"""Reads for the headquarters' pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zhanyi.core import metrics
from zhanyi.places.models import Area

from .models import Report, ReportFigure

#: The figures the report's charts draw, when the report holds them.
CHART_FIGURES = ["tracing.cases", "tracing.close_contacts", "people.codes_red", "screening.overdue"]
#: How many reports the trend chart goes back.
TREND_REPORTS = 14


def home_figures(user, *, fresh: bool = False) -> metrics.FigureValues:
    """Every figure for the user's area, as the dashboards show them (cached
    for a few seconds, shared; ``fresh`` computes them again now)."""
    if not user.is_superuser and user.jurisdiction_id is None:
        return metrics.FigureValues()
    return metrics.figures_for(user, fresh=fresh)


def _reach(user) -> str | None:
    """The area path a user's reports are cut to (None: everything); 403 for
    a user without a jurisdiction."""
    if user.is_superuser and user.jurisdiction_id is None:
        return None
    if user.jurisdiction_id is None:
        raise PermissionDenied(_("You have no jurisdiction yet."))
    return user.jurisdiction.path


def reports_for_user(user) -> QuerySet[Report]:
    """The twice-daily reports, newest first (every report covers the reader's
    area; what each shows is cut to it by ``report_sheet``)."""
    _reach(user)
    return Report.objects.order_by("-scheduled_for")


def get_report_for_user(user, pk: int) -> Report:
    _reach(user)
    try:
        return Report.objects.get(pk=pk)
    except (Report.DoesNotExist, ValueError, OverflowError):
        raise Http404(_("No such report.")) from None


@dataclass
class AreaSheet:
    """One area's figures in a report: rows of ReportFigure as taken."""

    area: Area
    figures: list[ReportFigure] = field(default_factory=list)

    def by_name(self) -> dict[str, ReportFigure]:
        return {f.name: f for f in self.figures}


@dataclass
class ReportSheet:
    """What one reader sees of a report: the areas in their reach, each with
    its figures, and the series the charts draw (all stored numbers)."""

    report: Report
    areas: list[AreaSheet]
    chart_figures: list[tuple[str, str]]  # (name, label) of the charted figures
    trend: list[tuple[Report, dict[str, float]]]  # the top area's charted values per report


def report_sheet(report: Report, user) -> ReportSheet:
    """The report's stored figures within the user's reach (403 without a jurisdiction)."""
    reach = _reach(user)
    rows = ReportFigure.objects.filter(report=report).select_related("area")
    if reach is not None:
        rows = rows.filter(area__path__startswith=reach)
    sheets: dict[int, AreaSheet] = {}
    for row in rows.order_by("area__path", "order", "name"):
        sheets.setdefault(row.area_id, AreaSheet(row.area)).figures.append(row)
    areas = list(sheets.values())
    held = {f.name: f.shown_label() for sheet in areas for f in sheet.figures}
    charted = [(name, held[name]) for name in CHART_FIGURES if name in held]
    return ReportSheet(report, areas, charted, _trend(report, areas, [n for n, _l in charted]))


def _trend(
    report: Report, areas: list[AreaSheet], names: list[str]
) -> list[tuple[Report, dict[str, float]]]:
    if not areas or not names:
        return []
    reports = list(
        Report.objects.filter(scheduled_for__lte=report.scheduled_for).order_by("-scheduled_for")[
            :TREND_REPORTS
        ]
    )
    values: dict[int, dict[str, float]] = {r.pk: {} for r in reports}
    for row in ReportFigure.objects.filter(
        report__in=reports, area=areas[0].area, name__in=names
    ).values("report_id", "name", "value"):
        values[row["report_id"]][row["name"]] = row["value"]
    return [(r, values[r.pk]) for r in reversed(reports)]
