"""Pages of fever clinics and pharmacies (发热门诊、药店).

- ``home``: the figures, the clinics of the jurisdiction with their rooms in
  use and patients waiting, a new clinic.
- ``clinic``: the clinic's phone page: pre-triage of a patient (预检分诊), the
  room board (one patient to a room), the patients waiting, rooms and staff
  with their next scheduled test.
- ``visit``: one visit: its pre-triage, room, test and referral; a room given,
  left, the visit ended (home, hospital, quarantine).
- ``pharmacies``: the pharmacies, a buyer reported at the counter (phone
  page), the reports with their follow-up's state, overdue in red.

Reading needs ``view_person`` and a jurisdiction; writing ``edit_operations``.
Every write is an action; a page showing a patient's record is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhanyi.accounts.roles import capability_required, has_capability
from zhanyi.core import audit
from zhanyi.core.forms import add_action_errors
from zhanyi.core.masking import mask_name
from zhanyi.core.metrics import figures_for, fresh_requested
from zhanyi.handoffs import schedule

from . import actions, queries
from .forms import (
    ClinicForm,
    CloseVisitForm,
    PharmacyForm,
    ReportForm,
    RoomsForm,
    StaffForm,
    TriageForm,
)
from .models import ReportState

FIGURES = [
    "clinics.visits_today",
    "clinics.patients_in_rooms",
    "clinics.rooms_free",
    "clinics.staff_tests_overdue",
    "clinics.reports_open",
    "clinics.reports_overdue",
]


def _require_edit(request: HttpRequest) -> None:
    if not has_capability(request.user, "edit_operations"):
        raise PermissionDenied("requires edit_operations")


def _refusal(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(str(m) for m in error.messages))


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def home(request: HttpRequest) -> HttpResponse:
    queries.require_view(request.user)
    form = ClinicForm(request.POST or None, user=request.user)
    if request.method == "POST":
        _require_edit(request)
        if form.is_valid():
            d = form.cleaned_data
            try:
                clinic = actions.do_create_clinic(
                    acting_user=request.user,
                    name=d["name"],
                    kind=d["kind"],
                    area=d["area"],
                    address=d["address"],
                    rooms=d["rooms"] or 0,
                    request=request,
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                return redirect("clinics:clinic", clinic_id=clinic.pk)
    clinics = list(queries.clinics_for(request.user)[:300])
    rows = []
    for clinic in clinics:
        board = queries.room_board(clinic)
        rows.append(
            {
                "clinic": clinic,
                "rooms": len(board),
                "in_use": sum(1 for r in board if r.visit),
                "waiting": queries.waiting(clinic).count(),
            }
        )
    return render(
        request,
        "clinics/home.html",
        {
            "figures": figures_for(request.user, FIGURES, fresh=fresh_requested(request)),
            "rows": rows,
            "form": form,
            "can_edit": has_capability(request.user, "edit_operations"),
        },
    )


def _staff_rows(clinic, now) -> list[dict]:
    rows = []
    for s in clinic.staff.filter(ended_at=None).select_related("person", "test_handoff"):
        h = s.test_handoff
        test = None
        if h is not None and h.status == "open":
            test = schedule.current(
                schedule.tests_of(h.detail, not_before=h.not_before, due_at=h.due_at)
            )
        rows.append(
            {
                "staff": s,
                "name": mask_name(s.person.name),
                "test": test,
                "overdue": test is not None and test.due_at < now,
                "done": 0
                if h is None
                else sum(1 for t in schedule.tests_of(h.detail, due_at=h.due_at) if t.done),
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def clinic(request: HttpRequest, clinic_id: int) -> HttpResponse:
    """The clinic's phone page: pre-triage, the room board, waiting, rooms, staff."""
    c = queries.get_clinic_for_user(request.user, clinic_id)
    what = request.POST.get("form")
    free = queries.free_rooms(c)
    triage = TriageForm(request.POST if what == "triage" else None, user=request.user, rooms=free)
    rooms_form = RoomsForm(request.POST if what == "rooms" else None)
    staff_form = StaffForm(request.POST if what == "staff" else None, user=request.user)
    if request.method == "POST":
        _require_edit(request)
        done = _clinic_post(request, c, what, triage, rooms_form, staff_form)
        if done:
            return redirect("clinics:clinic", clinic_id=c.pk)
    board = queries.room_board(c)
    waiting = list(queries.waiting(c)[:100])
    shown = [r.visit.person_id for r in board if r.visit] + [v.person_id for v in waiting]
    if shown:
        audit.record(
            actor=request.user,
            action="clinics.clinic.view",
            obj=c,
            area=c.area,
            detail={"persons": shown},
            request=request,
        )
    now = timezone.now()
    return render(
        request,
        "clinics/clinic.html",
        {
            "clinic": c,
            "board": [(r, mask_name(r.visit.person.name) if r.visit else "") for r in board],
            "waiting": [(v, mask_name(v.person.name)) for v in waiting],
            "free": list(free),
            "staff": _staff_rows(c, now),
            "triage_form": triage,
            "rooms_form": rooms_form,
            "staff_form": staff_form,
            "can_edit": has_capability(request.user, "edit_operations"),
        },
    )


def _clinic_post(request, c, what, triage, rooms_form, staff_form) -> bool:
    user = request.user
    try:
        if what == "triage" and triage.is_valid():
            d = triage.cleaned_data
            visit = actions.do_register_visit(
                c,
                d["person"],
                acting_user=user,
                temperature=d["temperature"],
                symptoms=d["symptoms"],
                epidemiological_history=d["epidemiological_history"],
                code_colour=d["code_colour"],
                room=d["room"],
                request=request,
            )
            messages.success(
                request,
                _("%(name)s: %(level)s; the test is handed to testing.")
                % {"name": mask_name(visit.person.name), "level": visit.get_triage_display()},
            )
            return True
        if what == "rooms" and rooms_form.is_valid():
            names = rooms_form.cleaned_data["names"].replace("，", ",").split(",")
            actions.do_add_rooms(c, names, acting_user=user, request=request)
            return True
        if what == "staff" and staff_form.is_valid():
            d = staff_form.cleaned_data
            actions.do_add_staff(c, d["person"], role=d["role"], acting_user=user, request=request)
            return True
        if what == "end_staff":
            staff = queries.get_staff_for_user(user, int(request.POST.get("staff") or 0))
            actions.do_end_staff(staff, acting_user=user, request=request)
            return True
        if what in ("room", "leave", "close"):
            _visit_post(request, what)
            return True
    except ValidationError as error:
        form = {"triage": triage, "rooms": rooms_form, "staff": staff_form}.get(what)
        if form is not None:
            add_action_errors(form, error)
        else:
            _refusal(request, error)
            return True
    return False


def _visit_post(request: HttpRequest, what: str) -> None:
    """A room given or left, or the visit ended; a refusal is a message."""
    user = request.user
    visit = queries.get_visit_for_user(user, int(request.POST.get("visit") or 0))
    try:
        if what == "room":
            room = queries.get_room_for_user(user, int(request.POST.get("room") or 0))
            actions.do_assign_room(visit, room, acting_user=user, request=request)
            messages.success(
                request,
                _("%(name)s is in room %(room)s.")
                % {"name": mask_name(visit.person.name), "room": room.name},
            )
        elif what == "leave":
            actions.do_leave_room(visit, acting_user=user, request=request)
        else:
            form = CloseVisitForm(request.POST)
            outcome = form.data.get("outcome", "")
            actions.do_close_visit(
                visit,
                outcome=outcome,
                note=form.data.get("note", ""),
                acting_user=user,
                request=request,
            )
    except ValidationError as error:
        _refusal(request, error)


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def visit(request: HttpRequest, visit_id: int) -> HttpResponse:
    v = queries.get_visit_for_user(request.user, visit_id)
    if request.method == "POST":
        _require_edit(request)
        what = request.POST.get("form", "")
        if what in ("room", "leave", "close"):
            _visit_post(request, what)
        return redirect("clinics:visit", visit_id=v.pk)
    audit.record(
        actor=request.user,
        action="clinics.visit.view",
        obj=v,
        area=v.clinic.area,
        detail={"person": v.person_id},
        request=request,
    )
    test = None
    if v.test_handoff is not None:
        h = v.test_handoff
        tests = schedule.tests_of(h.detail, not_before=h.not_before, due_at=h.due_at)
        test = tests[0] if tests else None
    return render(
        request,
        "clinics/visit.html",
        {
            "visit": v,
            "name": mask_name(v.person.name),
            "reasons": v.reasons_display(),
            "test": test,
            "free": list(queries.free_rooms(v.clinic)),
            "close_form": CloseVisitForm(),
            "can_edit": has_capability(request.user, "edit_operations"),
            "now": timezone.now(),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def pharmacies(request: HttpRequest) -> HttpResponse:
    """The pharmacies, the counter's report of a buyer, the reports followed up."""
    user = request.user
    queries.require_view(user)
    what = request.POST.get("form")
    pharmacy_list = queries.pharmacies_for(user)
    report_form = ReportForm(request.POST if what == "report" else None, pharmacies=pharmacy_list)
    pharmacy_form = PharmacyForm(request.POST if what == "pharmacy" else None, user=user)
    if request.method == "POST":
        _require_edit(request)
        if _pharmacy_post(request, what, report_form, pharmacy_form):
            return redirect("clinics:pharmacies")
    now = timezone.now()
    state = request.GET.get("state", "")
    reports = queries.reports_for(user)
    if state == ReportState.OVERDUE:
        reports = queries.overdue_reports(reports, now)
    elif state == ReportState.OPEN:
        reports = queries.open_reports(reports)
    rows = list(reports[:200])
    if rows:
        audit.record(
            actor=user,
            action="clinics.reports.view",
            object_type="clinics.buyerreport",
            detail={"persons": [r.person_id for r in rows]},
            request=request,
        )
    return render(
        request,
        "clinics/pharmacies.html",
        {
            "pharmacies": list(pharmacy_list[:300]),
            "rows": [
                {
                    "report": r,
                    "name": mask_name(r.person.name),
                    "state": r.state(now),
                    "state_label": r.state_label(now),
                }
                for r in rows
            ],
            "state": state,
            "states": ReportState.choices,
            "report_form": report_form,
            "pharmacy_form": pharmacy_form,
            "can_edit": has_capability(user, "edit_operations"),
        },
    )


def _pharmacy_post(request, what, report_form, pharmacy_form) -> bool:
    user = request.user
    try:
        if what == "pharmacy" and pharmacy_form.is_valid():
            d = pharmacy_form.cleaned_data
            actions.do_create_pharmacy(
                acting_user=user,
                name=d["name"],
                area=d["area"],
                address=d["address"],
                request=request,
            )
            return True
        if what == "report" and report_form.is_valid():
            d = report_form.cleaned_data
            report = actions.do_report_buyer(
                d["pharmacy"],
                actions.Buyer(
                    name=d["name"], phone=d["phone"], identity_number=d["identity_number"]
                ),
                medicine=d["medicine"],
                medicine_name=d["medicine_name"],
                follow_up=d["follow_up"],
                acting_user=user,
                request=request,
            )
            messages.success(
                request,
                _("%(name)s reported: %(follow_up)s due by %(due)s.")
                % {
                    "name": mask_name(report.person.name),
                    "follow_up": report.get_follow_up_display(),
                    "due": timezone.localtime(report.handoff.due_at).strftime("%m-%d %H:%M")
                    if report.handoff
                    else "",
                },
            )
            for warning in report.warnings:
                messages.warning(request, warning)
            return True
    except ValidationError as error:
        form = report_form if what == "report" else pharmacy_form
        add_action_errors(form, error)
    return False
