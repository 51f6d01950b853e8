"""Pages of the teams (工作队) and the village team's control list (先管后筛).

- ``team_list``: the teams of the jurisdiction with their workload; a new team.
- ``team_detail``: a team's members and leader, their training, its open work
  (overdue first in red); members added, a leader chosen, a training recorded.
- ``control_list`` / ``control_detail``: open control tasks, closed with the
  measure taken and its time (phone-first; the same list heads the village
  team's screening tasks, its landing page).

Every view checks a capability and reads through ``queries`` (jurisdiction);
every write is an action.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhanyi.accounts.roles import capability_required, has_capability
from zhanyi.core import audit
from zhanyi.core.forms import add_action_errors
from zhanyi.people import display

from . import actions, queries, work
from .forms import ControlForm, LeaderForm, MemberForm, TeamForm, TrainingForm
from .models import TeamKind

PAGE_SIZE = 50


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def team_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in TeamKind.values else ""
    can_edit = has_capability(request.user, "edit_operations")
    form = TeamForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and can_edit and form.is_valid():
        try:
            team = actions.do_create_team(
                acting_user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Team %(name)s created.") % {"name": team.name})
            return redirect("teams:team", team_id=team.pk)
    page = Paginator(queries.teams_for(request.user, kind=kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    loads = work.workloads(list(page.object_list))
    rows = [(team, loads[team.pk]) for team in page.object_list]
    return render(
        request,
        "teams/list.html",
        {
            "page": page,
            "rows": rows,
            "kind": kind,
            "kinds": TeamKind.choices,
            "form": form,
            "can_edit": can_edit,
        },
    )


def _team_post(request: HttpRequest, team, members) -> tuple[bool, dict]:
    """Handle one of the team page's forms; (done, the forms to show)."""
    post = request.POST if request.method == "POST" else None
    which = post.get("form") if post else None
    forms = {
        "member_form": MemberForm(post if which == "member" else None),
        "training_form": TrainingForm(post if which == "training" else None, members=members),
    }
    if post is None:
        return False, forms
    try:
        if which == "member" and forms["member_form"].is_valid():
            data = forms["member_form"].cleaned_data
            actions.do_add_member(
                team,
                acting_user=request.user,
                role=data["role"],
                user=data["username"],
                name=data["name"],
                phone=data["phone"],
                leader=data["leader"],
                request=request,
            )
            return True, forms
        if which == "training" and forms["training_form"].is_valid():
            data = forms["training_form"].cleaned_data
            member = queries.get_member_for_user(
                request, data["member"], capability="edit_operations"
            )
            if member.team_id != team.pk:
                raise ValidationError({"member": _("This member is not in this team.")})
            actions.do_record_training(
                member,
                acting_user=request.user,
                course=data["course"],
                taken_on=data["taken_on"],
                passed=data["passed"],
                request=request,
            )
            return True, forms
        if which == "leader":
            leader = LeaderForm(post)
            if leader.is_valid():
                member = queries.get_member_for_user(
                    request, leader.cleaned_data["leader"], capability="edit_operations"
                )
                if member.team_id == team.pk:
                    actions.do_set_leader(member, acting_user=request.user, request=request)
                    return True, forms
    except ValidationError as error:
        bound = forms["member_form"] if which == "member" else forms["training_form"]
        add_action_errors(bound, error)
    return False, forms


@require_http_methods(["GET", "POST"])
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team = queries.get_team_for_user(request, team_id)
    members = list(queries.members_of(team))
    if request.method == "POST":
        queries.require_access(request.user, "edit_operations")
    done, forms = _team_post(request, team, members)
    if done:
        messages.success(request, _("Saved."))
        return redirect("teams:team", team_id=team.pk)
    now = timezone.now()
    load = work.workloads([team], now)[team.pk]
    audit.record(
        actor=request.user,
        action="teams.team.view",
        obj=team,
        area=team.area,
        detail={"members": [m.pk for m in members]},
        request=request,
    )
    return render(
        request,
        "teams/team.html",
        {
            "team": team,
            "members": [(m, display.phone_for(request.user, m.phone)) for m in members],
            "load": load,
            "work": work.items_of(team),
            "now": now,
            "can_edit": has_capability(request.user, "edit_operations"),
            **forms,
        },
    )


@require_http_methods(["GET"])
@capability_required("view_person")
def control_list(request: HttpRequest) -> HttpResponse:
    show = "overdue" if request.GET.get("show") == "overdue" else "open"
    controls = (
        queries.escalated_controls_for(request.user)
        if show == "overdue"
        else queries.controls_for(request.user)
    )
    page = Paginator(controls, PAGE_SIZE).get_page(request.GET.get("page"))
    record_list_view(request, page)
    return render(request, "teams/controls.html", {"page": page, "show": show})


def record_list_view(request: HttpRequest, page) -> None:
    """A page of the control list names persons: one audit record."""
    audit.record(
        actor=request.user,
        action="teams.control.list",
        object_type="handoffs.handoff",
        detail={"persons": [h.person_id for h in page]},
        request=request,
    )


@require_http_methods(["GET", "POST"])
def control_detail(request: HttpRequest, handoff_id: int) -> HttpResponse:
    capability = "edit_person" if request.method == "POST" else "view_person"
    handoff = queries.get_control_for_user(request, handoff_id, capability=capability)
    form = ControlForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_close_control(
                handoff,
                acting_user=request.user,
                measure=form.cleaned_data["measure"],
                measured_at=form.cleaned_data["measured_at"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The measure is recorded."))
            return redirect("accounts:landing")
    audit.record(
        actor=request.user,
        action="teams.control.view",
        obj=handoff,
        area=handoff.area,
        detail={"person": handoff.person_id},
        request=request,
    )
    return render(
        request,
        "teams/control.html",
        {
            "handoff": handoff,
            "record": getattr(handoff, "control_record", None),
            "phone": display.phone_for(request.user, handoff.person.phone),
            "form": form,
            "can_close": has_capability(request.user, "edit_person"),
            "now": timezone.now(),
        },
    )
