"""Setting up a headquarters (指挥部) by its users: the headquarters, its task
forces (专班), their leads and members, and the twinning of counties (结对)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhanyi.accounts.models import User
from zhanyi.accounts.roles import has_capability
from zhanyi.command import actions, queries
from zhanyi.command.forms import HeadquartersForm, LeadForm, MemberForm, TaskForceForm, TwinForm
from zhanyi.core.forms import add_action_errors


def headquarters_list(request: HttpRequest) -> HttpResponse:
    form = HeadquartersForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            hq = actions.do_set_up_headquarters(
                acting_user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("%(name)s is set up.") % {"name": hq.name})
            return redirect("command:headquarters", pk=hq.pk)
    return render(
        request,
        "command/headquarters_list.html",
        {
            "headquarters": queries.headquarters_for_user(request.user),
            "form": form,
            "can_set_up": has_capability(request.user, "approve"),
        },
    )


def _post(request: HttpRequest, hq, forms: dict) -> bool:
    """Apply the posted form of the page; True when it was applied."""
    which = request.POST.get("form")
    form = forms.get(which)
    if form is None or not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        if which == "task_force":
            actions.do_add_task_force(
                hq, acting_user=request.user, kind=data["kind"], request=request
            )
        elif which == "lead":
            task_force = queries.get_task_force(hq, data["task_force"])
            actions.do_set_task_force_lead(
                task_force, acting_user=request.user, lead=data["lead"], request=request
            )
        elif which == "member":
            user = User.objects.filter(username=data["username"].strip()).first()
            if user is None:
                raise ValidationError(
                    {"username": _("No user is named %(name)s.") % {"name": data["username"]}}
                )
            actions.do_set_member(
                user,
                acting_user=request.user,
                task_force=queries.get_task_force(hq, data["task_force"]),
                request=request,
            )
        elif which == "twin":
            actions.do_twin_counties(
                data["county"], data["twin"], acting_user=request.user, request=request
            )
    except ValidationError as error:
        add_action_errors(form, error)
        return False
    return True


def headquarters_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hq = queries.get_headquarters_for_user(request.user, pk)
    task_forces = list(hq.task_forces.prefetch_related("members"))
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form") if posted else None

    def bound(name):
        return posted if which == name else None

    forms = {
        "task_force": TaskForceForm(bound("task_force")),
        "lead": LeadForm(bound("lead")),
        "member": MemberForm(bound("member"), task_forces=task_forces),
        "twin": TwinForm(bound("twin"), user=request.user),
    }
    if posted is not None and _post(request, hq, forms):
        return redirect("command:headquarters", pk=hq.pk)
    return render(
        request,
        "command/headquarters_detail.html",
        {
            "hq": hq,
            "task_forces": task_forces,
            "twinnings": queries.twinnings_for(hq),
            "forms": forms,
            "can_edit": has_capability(request.user, "approve"),
        },
    )
