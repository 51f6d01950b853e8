"""Drills' pages (演练): the list, starting one, one drill (stop, delete)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhanyi.command import drills, queries
from zhanyi.command.actions import drills as drill_actions
from zhanyi.command.forms import DrillForm
from zhanyi.command.jobs import prepare_drill
from zhanyi.core.forms import add_action_errors


def start(request, form: DrillForm):
    drill = drill_actions.do_start_drill(
        acting_user=request.user,
        name=form.cleaned_data["name"],
        scenario=form.cleaned_data["scenario"],
        request=request,
    )
    account = drill_actions.account_of(request.user)
    transaction.on_commit(lambda: prepare_drill.enqueue(drill.pk, account))
    return drill


def can_manage(user) -> bool:
    try:
        drill_actions.require_drill_manager(user)
    except PermissionDenied:
        return False
    return True


def drill_list(request: HttpRequest) -> HttpResponse:
    listed = queries.drills_for_user(request.user)
    form = DrillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            drill = start(request, form)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, _("The drill %(name)s is being prepared.") % {"name": drill.name}
            )
            return redirect("command:drill", name=drill.name)
    return render(
        request,
        "command/drill_list.html",
        {"drills": listed, "form": form, "can_manage": can_manage(request.user)},
    )


def drill_detail(request: HttpRequest, name: str) -> HttpResponse:
    drill = queries.get_drill_for_user(request.user, name)
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "stop":
                drill_actions.do_stop_drill(drill, acting_user=request.user, request=request)
                return redirect("command:drill", name=name)
            if step == "delete":
                drill_actions.do_delete_drill(drill, acting_user=request.user, request=request)
                messages.success(request, _("The drill %(name)s is deleted.") % {"name": name})
                return redirect("command:drills")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 400
        except PermissionDenied as error:
            messages.error(request, str(error))
            status = 403
        drill.refresh_from_db()
    return render(
        request,
        "command/drill_detail.html",
        {
            "drill": drill,
            "scenario": drills.SCENARIOS.get(drill.scenario),
            "can_manage": can_manage(request.user),
        },
        status=status,
    )
