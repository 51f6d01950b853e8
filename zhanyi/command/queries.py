"""Reads for the headquarters' pages."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import Headquarters, Role, TaskForce, TaskForceKind
from zhanyi.accounts.roles import has_capability
from zhanyi.core import deadlines, metrics
from zhanyi.places.models import Area, AreaLevel
from zhanyi.quarantine.models import Twinning

from .models import (
    Accountability,
    Directive,
    Drill,
    DrillState,
    Finding,
    Meeting,
    PlanState,
    PlanVersion,
    Report,
    ReportFigure,
    SupervisionGroup,
    Visit,
    number_text,
)

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


# -- the supervision ledger (督导台账) ---------------------------------------------------


def owner_label(owner: str) -> str:
    """A task force's name from its kind (the area's staff when none)."""
    if owner in TaskForceKind.values:
        return str(TaskForceKind(owner).label)
    return _("the area's staff")


@dataclass
class LedgerRow:
    item: deadlines.Item
    kind: str
    owner: str
    owner_label: str
    late_hours: float


@dataclass
class Ledger:
    area: Area | None
    now: dt.datetime
    open: list[LedgerRow] = field(default_factory=list)
    closed_late: list[LedgerRow] = field(default_factory=list)

    def by_owner_and_area(self) -> list[dict]:
        """How many open items each task force has late, per area (the
        ledger's summary table)."""
        counts: Counter = Counter((r.owner_label, r.item.area.name) for r in self.open)
        return [
            {"owner": owner, "area": area, "count": n}
            for (owner, area), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]


def ledger_area(user, code: str = "") -> Area | None:
    """The area a user's ledger covers: ``code`` (an area within their
    jurisdiction), else their jurisdiction; 403 without one, 404 for an
    unknown or outside area."""
    reach = _reach(user)
    if not code:
        return None if reach is None else user.jurisdiction
    area = Area.objects.filter(code=code.strip()).first()
    if area is None or (reach is not None and not area.path.startswith(reach)):
        raise Http404(_("No area %(code)s in your jurisdiction.") % {"code": code})
    return area


def ledger(area: Area | None, *, owner: str = "", now: dt.datetime | None = None) -> Ledger:
    """Every overdue item of every registered deadline in ``area``, the
    latest first; ``owner``: one task force's."""
    now = now or timezone.now()
    result = Ledger(area=area, now=now)
    for item in deadlines.overdue(area, now):
        item_owner = deadlines.owner_of(item)
        if owner and item_owner != owner:
            continue
        row = LedgerRow(
            item=item,
            kind=str(deadlines.get(item.deadline).label),
            owner=item_owner,
            owner_label=owner_label(item_owner),
            late_hours=round(item.late_by(now).total_seconds() / 3600, 1),
        )
        (result.open if item.closed_at is None else result.closed_late).append(row)
    return result


def directives_for_user(user) -> QuerySet[Directive]:
    reach = _reach(user)
    directives = Directive.objects.select_related("area", "task_force")
    if reach is not None:
        directives = directives.filter(area__path__startswith=reach)
    return directives


def get_directive_for_user(user, pk: int) -> Directive:
    try:
        return directives_for_user(user).get(pk=pk)
    except (Directive.DoesNotExist, ValueError, OverflowError):
        raise Http404(_("No such directive.")) from None


def groups_for_user(user) -> QuerySet[SupervisionGroup]:
    """The groups covering the user's area or working within it."""
    reach = _reach(user)
    groups = SupervisionGroup.objects.select_related("area")
    if reach is not None:
        groups = groups.filter(
            Q(area__path__startswith=reach) | Q(visits__area__path__startswith=reach)
        ).distinct()
    return groups


def get_group_for_user(user, pk: int) -> SupervisionGroup:
    try:
        return groups_for_user(user).get(pk=pk)
    except (SupervisionGroup.DoesNotExist, ValueError, OverflowError):
        raise Http404(_("No such group.")) from None


def visits_for_user(user) -> QuerySet[Visit]:
    reach = _reach(user)
    visits = Visit.objects.select_related("group", "area")
    if reach is not None:
        visits = visits.filter(area__path__startswith=reach)
    return visits


def get_visit_for_user(user, pk: int) -> Visit:
    try:
        return visits_for_user(user).get(pk=pk)
    except (Visit.DoesNotExist, ValueError, OverflowError):
        raise Http404(_("No such visit.")) from None


def get_finding_for_user(user, pk: int) -> Finding:
    reach = _reach(user)
    findings = Finding.objects.select_related("visit__area", "visit__group")
    if reach is not None:
        findings = findings.filter(visit__area__path__startswith=reach)
    try:
        return findings.get(pk=pk)
    except (Finding.DoesNotExist, ValueError, OverflowError):
        raise Http404(_("No such finding.")) from None


def accountability_for_user(user) -> QuerySet[Accountability]:
    reach = _reach(user)
    records = Accountability.objects.select_related("area")
    if reach is not None:
        records = records.filter(area__path__startswith=reach)
    return records


# -- headquarters (指挥部) ---------------------------------------------------------------


def headquarters_for_user(user) -> QuerySet[Headquarters]:
    """The headquarters over the user's area or within it."""
    reach = _reach(user)
    hqs = Headquarters.objects.select_related("area", "parent").order_by("area__path")
    if reach is None:
        return hqs
    above = [reach[:i] for i in range(1, len(reach) + 1)]
    return hqs.filter(Q(area__path__startswith=reach) | Q(area__path__in=above))


def get_headquarters_for_user(user, pk: int) -> Headquarters:
    try:
        return headquarters_for_user(user).get(pk=pk)
    except (Headquarters.DoesNotExist, ValueError, OverflowError):
        raise Http404(_("No such headquarters.")) from None


def get_task_force(hq: Headquarters, pk: int) -> TaskForce:
    try:
        return hq.task_forces.get(pk=pk)
    except (TaskForce.DoesNotExist, ValueError, OverflowError):
        raise Http404(_("No such task force.")) from None


def twinnings_for(hq: Headquarters) -> QuerySet[Twinning]:
    """The twinned counties of the headquarters' area."""
    return Twinning.objects.filter(
        Q(county__path__startswith=hq.area.path) | Q(twin__path__startswith=hq.area.path)
    ).select_related("county", "twin")


# -- the daily meeting (每日调度会) and its pack --------------------------------------------


def meetings_for_user(user) -> QuerySet[Meeting]:
    """The city headquarters' meetings, newest first (each pack is cut to the
    reader's jurisdiction by ``meeting_pack``)."""
    _reach(user)
    return Meeting.objects.order_by("-held_at")


def get_meeting_for_user(user, pk: int) -> Meeting:
    _reach(user)
    try:
        return Meeting.objects.get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, OverflowError):
        raise Http404(_("No such meeting.")) from None


@dataclass
class FigureChange:
    """One stored figure of the meeting's report beside the same figure of the
    report the last meeting had (both rows as taken; never computed anew)."""

    row: ReportFigure
    before: ReportFigure | None

    @property
    def change(self) -> float | None:
        if self.before is None:
            return self.row.change
        return self.row.value - self.before.value

    def before_text(self) -> str:
        if self.before is not None:
            return self.before.value_text()
        if self.row.previous_value is not None:
            return number_text(self.row.previous_value)
        return ""

    def change_text(self) -> str:
        change = self.change
        if change is None:
            return ""
        if change == 0:
            return "0"
        return ("+" if change > 0 else "−") + number_text(abs(change))


@dataclass
class AreaChanges:
    area: Area
    changes: list[FigureChange] = field(default_factory=list)
    unchanged: int = 0


@dataclass
class MeetingPack:
    """The daily meeting's pack (会议材料): what changed since the last meeting
    (the figures of the last twice-daily report before the meeting beside
    those of the report the last meeting had), what is overdue (the
    supervision ledger as of the meeting), the decisions taken (directives
    linked to the meeting), all within the reader's jurisdiction."""

    meeting: Meeting
    previous: Meeting | None
    as_of: dt.datetime
    report: Report | None
    base_report: Report | None
    areas: list[AreaChanges]
    ledger: Ledger
    decisions: list[Directive]


def _report_at(moment: dt.datetime) -> Report | None:
    return Report.objects.filter(scheduled_for__lte=moment).order_by("-scheduled_for").first()


def meeting_pack(meeting: Meeting, user, *, now: dt.datetime | None = None) -> MeetingPack:
    """The pack of ``meeting`` as ``user`` may read it (403 without a
    jurisdiction). A meeting still to come is prepared as of now."""
    reach = _reach(user)
    now = now or timezone.now()
    as_of = min(meeting.held_at, now)
    previous = Meeting.objects.filter(held_at__lt=meeting.held_at).order_by("-held_at").first()
    report = _report_at(as_of)
    base_report = _report_at(previous.held_at) if previous is not None else None
    if base_report is not None and report is not None and base_report.pk == report.pk:
        base_report = None  # no report was taken between the two meetings
    areas: list[AreaChanges] = []
    if report is not None:
        rows = ReportFigure.objects.filter(report=report).select_related("area")
        if reach is not None:
            rows = rows.filter(area__path__startswith=reach)
        before: dict[tuple[int, str], ReportFigure] = {}
        if base_report is not None:
            old = ReportFigure.objects.filter(report=base_report)
            if reach is not None:
                old = old.filter(area__path__startswith=reach)
            before = {(f.area_id, f.name): f for f in old}
        sheets: dict[int, AreaChanges] = {}
        for row in rows.order_by("area__path", "order", "name"):
            sheet = sheets.setdefault(row.area_id, AreaChanges(row.area))
            change = FigureChange(row, before.get((row.area_id, row.name)))
            if change.change:
                sheet.changes.append(change)
            else:
                sheet.unchanged += 1
        areas = list(sheets.values())
    decisions = meeting.decisions.select_related("area", "task_force").order_by("due_at", "id")
    if reach is not None:
        decisions = decisions.filter(area__path__startswith=reach)
    return MeetingPack(
        meeting=meeting,
        previous=previous,
        as_of=as_of,
        report=report,
        base_report=base_report,
        areas=areas,
        ledger=ledger(ledger_area(user), now=as_of),
        decisions=list(decisions),
    )


# -- the emergency plan (应急预案) and drills (演练) -----------------------------------


def require_headquarters_reader(user) -> None:
    """Plans and drills are the headquarters' business: a superuser, a user
    who takes its decisions (``approve``), its leaders, its task forces'
    members, and the staff of the city. Anyone else is refused."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied
    if user.is_superuser:
        return
    area = user.jurisdiction
    if area is None:
        raise PermissionDenied(_("Only the headquarters reads the emergency plan and its drills."))
    if (
        has_capability(user, "approve")
        or user.role == Role.LEADER
        or user.task_force_id is not None
        or area.level == AreaLevel.CITY
    ):
        return
    raise PermissionDenied(_("Only the headquarters reads the emergency plan and its drills."))


def plans_for_user(user) -> QuerySet[PlanVersion]:
    require_headquarters_reader(user)
    return PlanVersion.objects.all()


def get_plan_for_user(user, pk: int) -> PlanVersion:
    plan = plans_for_user(user).filter(pk=pk).first()
    if plan is None:
        raise Http404(_("No such plan version."))
    return plan


def plan_in_force() -> PlanVersion | None:
    return PlanVersion.objects.filter(state=PlanState.IN_FORCE).first()


def drills_for_user(user) -> QuerySet[Drill]:
    require_headquarters_reader(user)
    return Drill.objects.exclude(state=DrillState.DELETED)


def get_drill_for_user(user, name: str) -> Drill:
    drill = drills_for_user(user).filter(name=name).first()
    if drill is None:
        raise Http404(_("No such drill."))
    return drill
