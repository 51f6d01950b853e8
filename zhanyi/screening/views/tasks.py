"""Screening tasks (排查任务): lists, a task's page, supervision of overdue ones,
and the reply list for a source."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhanyi.accounts.roles import capability_required
from zhanyi.core.audit import SystemActor
from zhanyi.core.forms import add_action_errors
from zhanyi.people import display
from zhanyi.screening import actions, exports, queries
from zhanyi.screening.forms import (
    OutcomeForm,
    ReassignForm,
    StepForm,
)
from zhanyi.screening.models import PushSource, ScreeningTask
from zhanyi.teams import queries as team_queries
from zhanyi.teams import views as team_views

from .common import PAGE_SIZE, abilities

ESCALATOR = SystemActor("system:screening-escalation")


def _filtered_tasks(request: HttpRequest):
    show = request.GET.get("show", "open")
    tasks = queries.tasks_for(request.user)
    if show == "overdue":
        tasks = queries.overdue_tasks_for(request.user)
    elif show == "manual":
        tasks = queries.open_tasks_for(request.user).filter(manual=True)
    elif show == "closed":
        tasks = tasks.filter(status=ScreeningTask.Status.CLOSED).order_by("-closed_at")
    else:
        show = "open"
        tasks = queries.open_tasks_for(request.user)
    return show, tasks


@require_GET
@capability_required("view_person")
def task_list(request: HttpRequest) -> HttpResponse:
    """The team's task list, phone-first: most urgent on top."""
    show, tasks = _filtered_tasks(request)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    exports.record_list_view(request, "tasks", page)
    context = {"page": page, "show": show, **abilities(request.user)}
    if request.htmx:
        return render(request, "screening/_tasks.html", context)
    return render(request, "screening/tasks.html", {**context, **_control_first(request)})


CONTROLS_SHOWN = 20


def _control_first(request: HttpRequest) -> dict:
    """The village team's control list (先管后筛), shown above its screening tasks:
    a contact is put under control before anything else (``zhanyi.teams``)."""
    controls = team_queries.controls_for(request.user)
    shown = list(controls[:CONTROLS_SHOWN])
    total = len(shown) if len(shown) < CONTROLS_SHOWN else controls.count()
    if shown:
        team_views.record_list_view(request, shown)
    return {
        "controls": shown,
        "controls_total": total,
        "now": timezone.now(),
    }


@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = queries.get_task_for_user(request.user, task_id)
    outcome_form = OutcomeForm(request.POST or None if "outcome" in request.POST else None)
    step_form = StepForm(request.POST if "kind" in request.POST else None)
    reassign_form = ReassignForm(
        request.POST if "reason" in request.POST and "area" in request.POST else None,
        user=request.user,
    )
    if request.method == "POST":
        try:
            if outcome_form.is_bound:
                if outcome_form.is_valid():
                    actions.do_record_outcome(
                        task, acting_user=request.user, request=request, **outcome_form.cleaned_data
                    )
                    messages.success(request, _("The outcome is recorded."))
                    return redirect("screening:tasks")
            elif step_form.is_bound:
                if step_form.is_valid():
                    actions.do_add_step(
                        task,
                        acting_user=request.user,
                        kind=step_form.cleaned_data["kind"],
                        notes=step_form.cleaned_data["notes"],
                        request=request,
                    )
                    return redirect("screening:task", task_id=task.pk)
            elif reassign_form.is_bound:
                if reassign_form.is_valid():
                    actions.do_reassign_task(
                        task,
                        reassign_form.cleaned_data["area"],
                        acting_user=request.user,
                        reason=reassign_form.cleaned_data["reason"],
                        request=request,
                    )
                    messages.success(request, _("The task is reassigned."))
                    return redirect("screening:tasks")
            else:
                raise ValidationError(_("Nothing to record."))
        except ValidationError as error:
            bound = [f for f in (reassign_form, outcome_form, step_form) if f.is_bound]
            if bound:
                add_action_errors(bound[0], error)
            else:  # a post of none of the forms: said, not a 500
                messages.error(request, " ".join(error.messages))
    exports.record_view(request, task, [task.person])
    context = {
        "task": task,
        "identity": display.identity_for(request.user, task.person.identity_number),
        "phone": display.phone_for(request.user, task.person.phone),
        "records": task.records.select_related("source", "push_list"),
        "events": task.events.all(),
        "outcome_form": outcome_form,
        "step_form": step_form,
        "reassign_form": reassign_form,
        # The village's five-to-one team (五包一), its members named.
        "team": team_queries.five_to_one_team_of(task.area),
        **abilities(request.user),
    }
    return render(request, "screening/task.html", context)


@require_GET
@capability_required("view_person")
def supervision(request: HttpRequest) -> HttpResponse:
    """Overdue tasks (督查): escalated to the township, listed for supervision."""
    actions.do_escalate_overdue(acting_user=ESCALATOR)
    page = Paginator(queries.overdue_tasks_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    exports.record_list_view(request, "overdue", page)
    return render(request, "screening/supervision.html", {"page": page, **abilities(request.user)})


@require_GET
def reply_list(request: HttpRequest, source_id: int) -> HttpResponse:
    """The reply list to the origin (回复函): its people not in the city, as xlsx."""
    source = get_object_or_404(PushSource, pk=source_id)
    tasks = queries.reply_tasks(request.user, source)
    content = exports.reply_xlsx(tasks)
    exports.record_download(request, source, "reply", count=tasks.count())
    return FileResponse(
        io.BytesIO(content), as_attachment=True, filename=f"reply-{source.name}.xlsx"
    )
