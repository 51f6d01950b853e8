"""Pages of health codes (健康码): overrides asked for, reviewed and decided.

The code itself is shown on the person's page (``people/_health_code.html``,
filled by ``code_context``). Asking for an override needs ``edit_person``;
deciding on one needs ``approve`` and being someone other than the person who
asked. Persons and overrides are fetched only through ``queries``, which
apply the jurisdiction (404 outside it).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from zhanyi.accounts.roles import has_capability
from zhanyi.core.forms import add_action_errors
from zhanyi.people import actions, queries
from zhanyi.people.forms import OverrideDecisionForm, OverrideRequestForm
from zhanyi.people.models import HealthCodeOverride, Person

PAGE_SIZE = 50
RULE_LABELS = {
    "case.active": gettext_lazy("Case under treatment or isolation"),
    "case.recovered": gettext_lazy("Released case, health monitoring"),
    "test.positive": gettext_lazy("Positive single-tube test"),
    "pool.positive": gettext_lazy("Positive pool, single tube pending"),
    "quarantine.centralised": gettext_lazy("In centralised quarantine"),
    "quarantine.home": gettext_lazy("In home quarantine"),
    "quarantine.home_health_monitoring": gettext_lazy("In home health monitoring"),
    "contact.close": gettext_lazy("Close contact in quarantine"),
    "contact.close.monitoring": gettext_lazy("Close contact in home health monitoring"),
    "contact.secondary": gettext_lazy("Secondary contact in quarantine"),
    "contact.secondary.monitoring": gettext_lazy("Secondary contact in home health monitoring"),
    "contact.companion": gettext_lazy("Spatiotemporal companion awaiting negative tests"),
    "arrival.risk_area": gettext_lazy("Arrival from a risk area awaiting negative tests"),
    "override": gettext_lazy("Manual override"),
    "none": gettext_lazy("No risk on record"),
}


def rule_label(rule: str) -> str:
    return str(RULE_LABELS.get(rule, rule))


def code_context(person: Person, user) -> dict:
    """What the person's page shows of the code: colour, rule, until, history,
    overrides, and what this user may do about it."""
    code = queries.current_code(person)
    history = queries.code_history(person)
    for change in history:
        change.rule_label = rule_label(change.rule)
    return {
        "code": code,
        "code_colour": code.colour if code else "green",
        "code_rule_label": rule_label(code.rule if code else "none"),
        "code_history": history,
        "overrides": queries.overrides_of(person),
        "can_request_override": has_capability(user, "edit_person") and not person.merged_into_id,
        "can_approve": has_capability(user, "approve"),
    }


@require_GET
def code_list(request: HttpRequest) -> HttpResponse:
    """Red and yellow codes in the user's jurisdiction (the community's list to act on)."""
    queries.require_person_access(request.user)
    colour = request.GET.get("colour", "")
    if colour not in ("red", "yellow"):
        colour = ""
    page = Paginator(queries.coded_persons_for(request.user, colour), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    actions.record_code_list(
        acting_user=request.user, colour=colour, results=page.paginator.count, request=request
    )
    for person in page:
        person.rule_label = rule_label(person.health_code.rule)
    return render(request, "people/codes.html", {"page": page, "colour": colour})


@require_http_methods(["GET", "POST"])
def override_request(request: HttpRequest, person_id: int) -> HttpResponse:
    """Ask for a manual override of the person's code; a second person approves it."""
    person = queries.get_person_for_user(request, person_id, capability="edit_person")
    form = OverrideRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_request_override(
                person=person,
                acting_user=request.user,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, _("The override was requested; it needs a second person's approval.")
            )
            return redirect("people:detail", person.pk)
    return render(
        request,
        "people/override_request.html",
        {"form": form, "person": person, **code_context(person, request.user)},
    )


@require_GET
def override_list(request: HttpRequest) -> HttpResponse:
    """Overrides awaiting approval in the user's jurisdiction."""
    pending = queries.pending_overrides_for(request.user)
    return render(request, "people/override_list.html", {"pending": pending})


@require_http_methods(["GET", "POST"])
def override_decide(request: HttpRequest, override_id: int) -> HttpResponse:
    """One override: approve or reject it (not one's own request), or end it early."""
    override = queries.get_override_for_user(request, override_id)
    form = OverrideDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        act = {
            "approve": actions.do_approve_override,
            "reject": actions.do_reject_override,
            "end": actions.do_end_override,
        }[form.cleaned_data["decision"]]
        try:
            act(
                override=override,
                acting_user=request.user,
                note=form.cleaned_data["note"],
                request=request,
            )
        except PermissionDenied as error:
            messages.error(request, str(error))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("people:detail", override.person_id)
    own = override.requested_by_id == request.user.pk
    return render(
        request,
        "people/override_decide.html",
        {
            "override": override,
            "form": form,
            "own_request": own,
            "pending": override.status == HealthCodeOverride.Status.PENDING,
            "in_force": override.status == HealthCodeOverride.Status.APPROVED,
            "person": override.person,
            **code_context(override.person, request.user),
        },
    )
