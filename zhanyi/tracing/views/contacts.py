"""Contacts (密接/次密接/时空伴随者): the list a village team works from, and
marking a contact quarantined or released."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhanyi.accounts.roles import has_capability
from zhanyi.tracing import actions, queries
from zhanyi.tracing.forms import (
    QuarantinedForm,
    ReleaseForm,
)
from zhanyi.tracing.models import ContactKind

from . import cases


@require_GET
def contacts(request: HttpRequest) -> HttpResponse:
    """Contacts in the user's jurisdiction, one row per person naming the cases
    they are a contact of (a village team's list, phone-friendly)."""
    qs = queries.contacts_for(request.user).filter(released_at=None)
    kind = request.GET.get("kind", "")
    if kind in ContactKind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    page, rows = queries.contacts_by_person(
        qs, request.user, request.GET.get("page"), cases.LIST_SIZE
    )
    actions.record_contacts_view(
        acting_user=request.user,
        contacts=[c for row in rows for c in row.all],
        request=request,
        page=page.number,
    )
    return render(
        request,
        "tracing/contacts.html",
        {
            "page": page,
            "rows": rows,
            "kind": kind,
            "query": urlencode({"kind": kind}),
            "can_edit": has_capability(request.user, "edit_person"),
        },
    )


@require_POST
def contact_quarantined(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = queries.get_contact_for_user(request, contact_id, capability="edit_person")
    form = QuarantinedForm(request.POST)
    if form.is_valid():
        try:
            actions.do_mark_quarantined(
                contact,
                acting_user=request.user,
                quarantined_at=form.cleaned_data["quarantined_at"],
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Give the time quarantine started."))
    if request.POST.get("back") == "case" and queries.can_see_case(request.user, contact.case):
        return redirect("tracing:case", contact.case_id)
    return redirect("tracing:contacts")


@require_POST
def contact_release(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = queries.get_contact_for_user(request, contact_id, capability="edit_person")
    form = ReleaseForm(request.POST)
    if form.is_valid():
        try:
            actions.do_release_contact(
                contact,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Contact released."))
    else:
        messages.error(request, _("Say why the contact is released."))
    return redirect("tracing:contacts")
