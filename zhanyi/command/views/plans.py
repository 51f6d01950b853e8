"""The emergency plan's pages (应急预案): its versions, drafting one, a
version with its sections and flowcharts drawn, editing a draft, approving it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import has_capability
from zhanyi.command import actions, queries
from zhanyi.command.forms import PlanVersionForm
from zhanyi.command.models import PlanState
from zhanyi.command.plan_charts import drawings
from zhanyi.core.forms import add_action_errors
from zhanyi.engine import flowcharts


def _fields(form: PlanVersionForm) -> dict:
    data = dict(form.cleaned_data)
    data["charts"] = data.pop("flowcharts").strip() or None
    return data


def plan_list(request: HttpRequest) -> HttpResponse:
    plans = queries.plans_for_user(request.user)
    latest = plans.first()
    form = PlanVersionForm(
        request.POST or None, initial={"number": (latest.number + 1) if latest else 1}
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = actions.do_draft_plan_version(
                acting_user=request.user, request=request, **_fields(form)
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Version %(n)s is drafted.") % {"n": plan.number})
            return redirect("command:plan", pk=plan.pk)
    return render(
        request,
        "command/plan_list.html",
        {
            "plans": plans,
            "in_force": queries.plan_in_force(),
            "form": form,
            "can_draft": has_capability(request.user, "edit_operations"),
        },
    )


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan_for_user(request.user, pk)
    form = None
    if plan.state == PlanState.DRAFT:
        form = PlanVersionForm(
            request.POST if request.POST.get("step") == "edit" else None,
            initial={
                "number": plan.number,
                "title": plan.title,
                "effective_on": plan.effective_on,
                "text": plan.text,
                "flowcharts": flowcharts.to_toml(plan.charts()),
            },
        )
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "approve":
                actions.do_approve_plan_version(plan, acting_user=request.user, request=request)
                messages.success(request, _("Version %(n)s is in force.") % {"n": plan.number})
                return redirect("command:plan", pk=plan.pk)
            if step == "edit" and form is not None and form.is_valid():
                data = _fields(form)
                actions.do_edit_plan_version(
                    plan, acting_user=request.user, request=request, **data
                )
                return redirect("command:plan", pk=plan.pk)
        except ValidationError as error:
            if form is not None:
                add_action_errors(form, error)
            messages.error(request, " ".join(error.messages))
            status = 400
        except PermissionDenied as error:
            messages.error(request, str(error))
            status = 403
        plan.refresh_from_db()
    return render(
        request,
        "command/plan_detail.html",
        {
            "plan": plan,
            "drawings": drawings(plan, request.user),
            "form": form,
            "can_edit": plan.state == PlanState.DRAFT
            and has_capability(request.user, "edit_operations"),
            "can_approve": plan.state == PlanState.DRAFT
            and has_capability(request.user, "approve"),
        },
        status=status,
    )
