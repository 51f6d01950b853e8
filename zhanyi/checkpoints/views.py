"""Pages of the checkpoints task force (交通管控专班).

- ``home``: the figures, the stations of the jurisdiction with today's counts,
  a new station (command and admin staff).
- ``station_detail``: a station's shifts (staff from the accounts), its days,
  its latest checks and the checks whose person is still to be named.
- ``check_page``: the phone page (390 px) of one check; the decision and its
  reason shown at once; offline, the page keeps checks in a queue on the
  phone and sends them to the API when the connection is back.
- ``check_detail``: a check's decision and reasons; naming its person.
- ``days``: checks by day and station or kind.
- ``vessels``: fishing vessels, overdue first; their reports, crew checks, patrols.

Every view checks a capability and reads through ``queries``; every write is an action.
"""

from __future__ import annotations

import datetime as dt

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
from zhanyi.places.risk import risk_of_area

from . import actions, queries
from .forms import (
    CheckForm,
    CrewCheckForm,
    PatrolForm,
    PersonForm,
    ReportForm,
    ShiftForm,
    StationForm,
    VesselForm,
)
from .metrics import tally
from .models import Check, CodeColour
from .rules import local_day
from .wording import reason_text

FIGURES = [
    "checkpoints.stations",
    "checkpoints.vehicles_checked",
    "checkpoints.people_checked",
    "checkpoints.vehicles_turned_back",
    "checkpoints.people_turned_back",
    "checkpoints.vessels_overdue",
]


def _refusal_text(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def _require_edit(request: HttpRequest) -> None:
    if not has_capability(request.user, "edit_operations"):
        raise PermissionDenied("requires edit_operations")


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def home(request: HttpRequest) -> HttpResponse:
    can_edit = has_capability(request.user, "edit_operations")
    form = StationForm(request.POST or None, user=request.user)
    if request.method == "POST":
        _require_edit(request)
        if form.is_valid():
            v = form.cleaned_data
            try:
                station = actions.do_create_station(
                    acting_user=request.user,
                    name=v["name"],
                    kind=v["kind"],
                    area=v["area"],
                    location=v["location"],
                    lon=v["lon"],
                    lat=v["lat"],
                    request=request,
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("Checkpoint %(name)s set up.") % {"name": station.name})
                return redirect("checkpoints:station", station_id=station.pk)
    today = local_day(timezone.now())
    stations = list(queries.stations_for(request.user)[:500])
    counts = {r["station_id"]: r for r in queries.day_table(request.user, since=today, until=today)}
    return render(
        request,
        "checkpoints/home.html",
        {
            "figures": figures_for(request.user, FIGURES, fresh=fresh_requested(request)),
            "rows": [{"s": s, "today": counts.get(s.pk)} for s in stations],
            "form": form,
            "can_edit": can_edit,
            "today": today,
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def station_detail(request: HttpRequest, station_id: int) -> HttpResponse:
    station = queries.get_station_for_user(request.user, station_id)
    shift_form = ShiftForm(
        request.POST if request.POST.get("form") == "shift" else None, station=station
    )
    if request.method == "POST":
        _require_edit(request)
        try:
            if request.POST.get("form") == "shift":
                if shift_form.is_valid():
                    v = shift_form.cleaned_data
                    actions.do_add_shift(
                        station,
                        starts_at=v["starts_at"],
                        ends_at=v["ends_at"],
                        staff=list(v["staff"]),
                        acting_user=request.user,
                        request=request,
                    )
                    messages.success(request, _("Shift added."))
                    return redirect("checkpoints:station", station_id=station.pk)
            elif request.POST.get("form") == "active":
                actions.do_set_station_active(
                    station,
                    request.POST.get("active") == "1",
                    acting_user=request.user,
                    request=request,
                )
                return redirect("checkpoints:station", station_id=station.pk)
        except ValidationError as error:
            add_action_errors(shift_form, error)
    checks = queries.checks_for(request.user).filter(station=station)
    latest = list(checks[:50])
    return render(
        request,
        "checkpoints/station.html",
        {
            "station": station,
            "zone": risk_of_area(station.area, timezone.now()),
            "totals": tally(checks.order_by()),
            "days": queries.day_table(request.user, station=station)[:30],
            "shifts": station.shifts.prefetch_related("staff").order_by("-starts_at")[:20],
            "latest": [{"c": c, "reason": reason_text(c.reasons[0])} for c in latest],
            "waiting": [c for c in latest if c.waits_for_person],
            "shift_form": shift_form,
            "can_edit": has_capability(request.user, "edit_operations"),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required("edit_operations")
def check_page(request: HttpRequest) -> HttpResponse:
    """The phone page: choose the station, record a check, see the decision."""
    stations = queries.my_stations(request.user)
    chosen = request.POST.get("station") or request.GET.get("station")
    station = next((s for s in stations if str(s.pk) == chosen), stations[0] if stations else None)
    decided: Check | None = None
    if request.method == "POST":
        form = CheckForm(request.POST, user=request.user)
        if form.is_valid() and station is not None:
            decided = _record_from_form(request, form, station)
        if decided is not None:
            form = CheckForm(initial={"station": station.pk}, user=request.user)
    else:
        form = CheckForm(initial={"station": station.pk if station else None}, user=request.user)
    return render(
        request,
        "checkpoints/check.html",
        {
            "stations": stations,
            "station": station,
            "form": form,
            "decided": decided,
            "reasons": [reason_text(r) for r in decided.reasons] if decided else [],
            "colours": CodeColour.choices,
        },
    )


def _record_from_form(request: HttpRequest, form: CheckForm, station) -> Check | None:
    v = form.cleaned_data
    identity = None
    if v["name"].strip() or v["identity_number"].strip():
        identity = actions.Identity(v["name"], v["identity_number"], v["phone"])
    try:
        check, _created = actions.do_record_check(
            station,
            actions.CheckInput(
                client_id=v["client_id"],
                plate=v["plate"],
                people=v["people"],
                code_colour=v["code_colour"],
                test_age_hours=v["test_age_hours"],
                origin_area=v["origin_area"],
                origin_city=v["origin_city"],
                destination_area=v["destination_area"],
                destination=v["destination"],
                person=v["person"],
                identity=identity,
            ),
            acting_user=request.user,
            request=request,
        )
    except ValidationError as error:
        add_action_errors(form, error)
        return None
    return check


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def check_detail(request: HttpRequest, check_id: int) -> HttpResponse:
    check = queries.get_check_for_user(request.user, check_id)
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST":
        _require_edit(request)
        if form.is_valid():
            v = form.cleaned_data
            identity = None
            if v["name"].strip() or v["identity_number"].strip():
                identity = actions.Identity(v["name"], v["identity_number"], v["phone"])
            try:
                actions.do_name_person(
                    check,
                    person=v["person"],
                    identity=identity,
                    acting_user=request.user,
                    request=request,
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("Handed on."))
                return redirect("checkpoints:check", check_id=check.pk)
    if check.person_id:
        audit.record(
            actor=request.user,
            action="checkpoints.check.view",
            obj=check,
            area=check.station.area,
            detail={"person": check.person_id},
            request=request,
        )
    return render(
        request,
        "checkpoints/check_detail.html",
        {
            "check": check,
            "reasons": [reason_text(r) for r in check.reasons],
            "person_name": mask_name(check.person.name) if check.person_id else "",
            "form": form,
            "can_edit": has_capability(request.user, "edit_operations"),
        },
    )


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@capability_required("view_person")
def days(request: HttpRequest) -> HttpResponse:
    by = "kind" if request.GET.get("by") == "kind" else "station"
    since, until = _day(request.GET.get("since")), _day(request.GET.get("until"))
    rows = queries.day_table(request.user, since=since, until=until, by=by)
    return render(
        request,
        "checkpoints/days.html",
        {
            "rows": rows[:1000],
            "by": by,
            "since": since,
            "until": until,
            "totals": tally(queries.checks_for(request.user).order_by()),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def vessels(request: HttpRequest) -> HttpResponse:
    ports = queries.ports_for(request.user)
    fleet = queries.vessels_for(request.user)
    which = request.POST.get("form")
    forms = {
        "vessel": VesselForm(request.POST if which == "vessel" else None, ports=ports),
        "report": ReportForm(
            request.POST if which == "report" else None, ports=ports, vessels=fleet
        ),
        "crew": CrewCheckForm(
            request.POST if which == "crew" else None, ports=ports, vessels=fleet
        ),
        "patrol": PatrolForm(request.POST if which == "patrol" else None, ports=ports),
    }
    if request.method == "POST" and which in forms:
        _require_edit(request)
        form = forms[which]
        if form.is_valid():
            try:
                _vessel_post(request, which, form.cleaned_data)
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("Recorded."))
                return redirect("checkpoints:vessels")
    return render(
        request,
        "checkpoints/vessels.html",
        {
            "vessels": fleet.order_by("overdue_since", "state", "registration")[:500],
            "overdue": fleet.filter(overdue_since__isnull=False).order_by("due_back_at"),
            "forms": forms,
            "can_edit": has_capability(request.user, "edit_operations"),
        },
    )


def _vessel_post(request: HttpRequest, which: str, v: dict) -> None:
    user = request.user
    if which == "vessel":
        actions.do_register_vessel(
            acting_user=user,
            registration=v["registration"],
            home_port=v["home_port"],
            name=v["name"],
            skipper=v["skipper"],
            request=request,
        )
    elif which == "report":
        actions.do_report_movement(
            v["vessel"],
            port=v["port"],
            movement=v["movement"],
            crew=v["crew"],
            crew_names=v["crew_names"],
            due_back_at=v["due_back_at"],
            acting_user=user,
            request=request,
        )
    elif which == "crew":
        actions.do_record_crew_check(
            v["vessel"],
            port=v["port"],
            crew_checked=v["crew_checked"],
            fever=v["fever"],
            sampled=v["sampled"],
            foreign_contact=v["foreign_contact"],
            notes=v["notes"],
            acting_user=user,
            request=request,
        )
    else:
        actions.do_record_patrol(
            v["port"],
            started_at=v["started_at"],
            ended_at=v["ended_at"],
            route=v["route"],
            vessels_checked=v["vessels_checked"],
            findings=v["findings"],
            acting_user=user,
            request=request,
        )
