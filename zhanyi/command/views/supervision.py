"""Supervision's pages (督导): the ledger of every overdue item, the groups,
their visits and findings, the rectifications, accountability."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import has_capability
from zhanyi.command import actions, queries
from zhanyi.command.forms import (
    AccountabilityForm,
    FindingForm,
    GroupForm,
    LedgerFilterForm,
    RectifyForm,
    VisitForm,
)
from zhanyi.core.forms import add_action_errors


def ledger(request: HttpRequest) -> HttpResponse:
    """The supervision ledger: every overdue item of every task force in the
    reader's jurisdiction, the latest first; filters by task force and area."""
    form = LedgerFilterForm(request.GET or None)
    owner = code = ""
    if form.is_valid():
        owner, code = form.cleaned_data["owner"], form.cleaned_data["area"]
    area = queries.ledger_area(request.user, code)
    result = queries.ledger(area if area is not None else None, owner=owner)
    return render(
        request,
        "command/supervision_ledger.html",
        {"form": form, "ledger": result, "area": area, "table": result.by_owner_and_area()},
    )


def groups(request: HttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            group = actions.do_create_group(
                acting_user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The group %(name)s is set up.") % {"name": group.name})
            return redirect("command:group", pk=group.pk)
    return render(
        request,
        "command/supervision_groups.html",
        {
            "groups": queries.groups_for_user(request.user),
            "visits": queries.visits_for_user(request.user)[:50],
            "form": form,
            "can_create": has_capability(request.user, "approve"),
        },
    )


def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = queries.get_group_for_user(request.user, pk)
    form = VisitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            visit = actions.do_record_visit(
                group, acting_user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return redirect("command:visit", pk=visit.pk)
    return render(
        request,
        "command/supervision_group.html",
        {
            "group": group,
            "visits": queries.visits_for_user(request.user).filter(group=group),
            "form": form,
            "can_record": has_capability(request.user, "edit_operations"),
        },
    )


def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = queries.get_visit_for_user(request.user, pk)
    which = request.POST.get("form")
    finding_form = FindingForm(request.POST if which == "finding" else None)
    rectify_form = RectifyForm(request.POST if which == "rectify" else None)
    if which == "finding" and finding_form.is_valid():
        try:
            actions.do_add_finding(
                visit, acting_user=request.user, request=request, **finding_form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(finding_form, error)
        else:
            return redirect("command:visit", pk=visit.pk)
    if which == "rectify" and rectify_form.is_valid():
        finding = queries.get_finding_for_user(request.user, rectify_form.cleaned_data["finding"])
        try:
            actions.do_rectify(
                finding,
                acting_user=request.user,
                rectification=rectify_form.cleaned_data["rectification"],
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("command:visit", pk=visit.pk)
    return render(
        request,
        "command/supervision_visit.html",
        {
            "visit": visit,
            "findings": visit.findings.all(),
            "finding_form": finding_form,
            "can_record": has_capability(request.user, "edit_operations"),
        },
    )


def accountability(request: HttpRequest) -> HttpResponse:
    form = AccountabilityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_record_accountability(
                acting_user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The accountability record is saved."))
            return redirect("command:accountability")
    return render(
        request,
        "command/supervision_accountability.html",
        {
            "records": queries.accountability_for_user(request.user)[:200],
            "form": form,
            "can_record": has_capability(request.user, "approve"),
        },
    )
