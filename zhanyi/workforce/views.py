"""Pages of the people in the field (力量).

- ``home``: the figures, the headcount in force by kind, the deployments of the
  jurisdiction by area and shift; a deployment recorded or stood down.
- ``teams``: mutual-aid teams arriving and leaving; arrived / left, gone home /
  come back.
- ``branches``: temporary party branches and their party member posts.
- ``roster``: who is on which shift where, a day at a time; a roster file
  imported, its warnings and refusals by row, its error file.

Every view checks a capability and reads through ``queries``; every write is an action.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhanyi.accounts.roles import capability_required, has_capability
from zhanyi.core import audit
from zhanyi.core.forms import add_action_errors
from zhanyi.core.masking import mask_name, mask_phone
from zhanyi.core.metrics import figures_for, fresh_requested
from zhanyi.engine.protocol import LOCAL_TZ

from . import actions, queries
from .forms import BranchForm, DeploymentForm, RosterUploadForm, TeamForm
from .models import Shift

FIGURES = [
    "workforce.health_workers",
    "workforce.sampling_medics",
    "workforce.quarantine_site_staff",
    "workforce.clinic_staff",
    "workforce.volunteers",
    "workforce.volunteer_person_times",
    "workforce.cadres",
    "workforce.police",
    "workforce.party_branches",
    "workforce.party_posts",
    "workforce.aid_arrived",
    "workforce.aid_sent",
    "workforce.rostered_today",
]


def _require_edit(request: HttpRequest) -> None:
    if not has_capability(request.user, "edit_operations"):
        raise PermissionDenied("requires edit_operations")


def _refusal(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def home(request: HttpRequest) -> HttpResponse:
    form = DeploymentForm(request.POST or None, user=request.user)
    if request.method == "POST":
        _require_edit(request)
        if form.is_valid():
            try:
                actions.do_deploy(acting_user=request.user, request=request, **form.cleaned_data)
                return redirect("workforce:home")
            except ValidationError as error:
                add_action_errors(form, error)
    live = queries.in_force(queries.deployments_for(request.user))
    return render(
        request,
        "workforce/home.html",
        {
            "figures": figures_for(request.user, FIGURES, fresh=fresh_requested(request)),
            "by_kind": queries.by_kind(request.user),
            "deployments": live.order_by("area__path", "kind")[:300],
            "form": form,
            "can_edit": has_capability(request.user, "edit_operations"),
        },
    )


@require_POST
@capability_required("edit_operations")
def end_deployment(request: HttpRequest, deployment_id: int) -> HttpResponse:
    deployment = queries.get_deployment_for_user(request.user, deployment_id)
    try:
        actions.do_end_deployment(deployment, acting_user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _refusal(error))
    return redirect("workforce:home")


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def teams(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None, user=request.user)
    if request.method == "POST":
        _require_edit(request)
        if form.is_valid():
            try:
                actions.do_register_team(
                    acting_user=request.user, request=request, **form.cleaned_data
                )
                return redirect("workforce:teams")
            except ValidationError as error:
                add_action_errors(form, error)
    return render(
        request,
        "workforce/teams.html",
        {
            "teams": queries.teams_for(request.user)[:200],
            "form": form,
            "can_edit": has_capability(request.user, "edit_operations"),
        },
    )


@require_POST
@capability_required("edit_operations")
def team_step(request: HttpRequest, aid_team_id: int) -> HttpResponse:
    team = queries.get_team_for_user(request.user, aid_team_id)
    try:
        actions.do_move_team(
            team, step=request.POST.get("step", ""), acting_user=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, _refusal(error))
    return redirect("workforce:teams")


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def branches(request: HttpRequest) -> HttpResponse:
    form = BranchForm(request.POST or None, user=request.user)
    if request.method == "POST":
        _require_edit(request)
        if form.is_valid():
            try:
                actions.do_add_branch(
                    acting_user=request.user, request=request, **form.cleaned_data
                )
                return redirect("workforce:branches")
            except ValidationError as error:
                add_action_errors(form, error)
    shown = queries.branches_for(request.user)
    return render(
        request,
        "workforce/branches.html",
        {
            "branches": shown[:500],
            "total": shown.count(),
            "posts": sum(shown.values_list("posts", flat=True)),
            "form": form,
            "can_edit": has_capability(request.user, "edit_operations"),
        },
    )


def _day(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.now().astimezone(LOCAL_TZ).date()


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def roster(request: HttpRequest) -> HttpResponse:
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST":
        _require_edit(request)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = actions.do_import_roster(
                upload, upload.name, acting_user=request.user, request=request
            )
    day = _day(request)
    entries = list(queries.roster_for(request.user).filter(day=day)[:1000])
    if entries:
        audit.record(
            actor=request.user,
            action="workforce.roster.view",
            object_type="workforce.roster",
            detail={"day": day.isoformat(), "entries": len(entries)},
            request=request,
        )
    shifts = dict(Shift.choices)
    full = has_capability(request.user, "view_phone")
    return render(
        request,
        "workforce/roster.html",
        {
            "day": day,
            "rows": [
                {
                    "e": e,
                    "name": e.name if full else mask_name(e.name),
                    "phone": e.phone if full else mask_phone(e.phone),
                    "shift": shifts.get(e.shift, ""),
                }
                for e in entries
            ],
            "form": form,
            "result": result,
            "can_edit": has_capability(request.user, "edit_operations"),
        },
    )


@require_GET
@capability_required("edit_operations")
def error_file(request: HttpRequest, roster_import_id: int) -> HttpResponse:
    record = queries.get_import_for_user(request.user, roster_import_id)
    if not record.error_file:
        return HttpResponse(status=404)
    response = HttpResponse(
        bytes(record.error_file),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="roster-errors-{record.pk}.xlsx"'
    return response
