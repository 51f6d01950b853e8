"""Directives' pages (指令): the list and issuing one, one directive and the
steps of its life (acknowledged, done with evidence, verified)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import has_capability
from zhanyi.command import actions, queries
from zhanyi.command.forms import DirectiveForm, EvidenceForm
from zhanyi.command.models import DirectiveState
from zhanyi.core.forms import add_action_errors


def directive_list(request: HttpRequest) -> HttpResponse:
    directives = queries.directives_for_user(request.user)
    form = DirectiveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            directive = actions.do_issue_directive(
                acting_user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The directive is issued."))
            return redirect("command:directive", pk=directive.pk)
    state = request.GET.get("state", "")
    if state in DirectiveState.values:
        directives = directives.filter(state=state)
    return render(
        request,
        "command/directive_list.html",
        {
            "directives": directives.order_by("-issued_at")[:200],
            "form": form,
            "now": timezone.now(),
            "states": DirectiveState.choices,
            "state": state,
            "can_issue": has_capability(request.user, "approve"),
        },
    )


STEPS = {
    "acknowledge": actions.do_acknowledge_directive,
    "verify": actions.do_verify_directive,
}


def directive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    directive = queries.get_directive_for_user(request.user, pk)
    evidence_form = EvidenceForm(
        request.POST if request.POST.get("step") == "done" else None, request.FILES or None
    )
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "done":
                if evidence_form.is_valid():
                    actions.do_report_directive_done(
                        directive,
                        acting_user=request.user,
                        evidence=evidence_form.cleaned_data["evidence"],
                        evidence_file=evidence_form.cleaned_data["evidence_file"],
                        request=request,
                    )
                    return redirect("command:directive", pk=directive.pk)
            elif step in STEPS:
                STEPS[step](directive, acting_user=request.user, request=request)
                return redirect("command:directive", pk=directive.pk)
        except ValidationError as error:
            add_action_errors(evidence_form, error)
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            # The refusal says why (not a member of the owning task force…).
            messages.error(request, str(error))
            status = 403
        directive.refresh_from_db()
    return render(
        request,
        "command/directive_detail.html",
        {
            "directive": directive,
            "overdue": directive.is_overdue(timezone.now()),
            "evidence_form": evidence_form,
            "can_act": has_capability(request.user, "edit_operations"),
            "can_verify": has_capability(request.user, "approve"),
        },
        status=status,
    )


def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file of a directive, for those who see the directive."""
    directive = queries.get_directive_for_user(request.user, pk)
    if not directive.evidence_file:
        raise Http404(_("This directive has no evidence file."))
    name = directive.evidence_file.name.rsplit("/", 1)[-1]
    return FileResponse(directive.evidence_file.open("rb"), as_attachment=True, filename=name)
