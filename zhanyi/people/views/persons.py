"""Pages of the person index (人员库): search, a person's page, create, edit, merge.

Deny by default: every view starts by checking the capability it needs and
fetches persons only through ``queries``, which apply the jurisdiction.
Views parse input, call one action or query and render; HTMX requests get the
fragment (templates starting with ``_``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from zhanyi.accounts.roles import has_capability
from zhanyi.core.forms import add_action_errors
from zhanyi.engine.phones import format_phone
from zhanyi.people import actions, display, queries
from zhanyi.people.forms import MergeForm, PersonEditForm, PersonForm
from zhanyi.people.models import Person, SourceRecord

from . import health_codes

PAGE_SIZE = 25
DUPLICATE_REASONS = {
    "document": gettext_lazy("same identity number"),
    "name_birth_date": gettext_lazy("same name and birth date"),
    "name_phone": gettext_lazy("same name and phone"),
}


def _abilities(user) -> dict:
    return {
        "can_edit": has_capability(user, "edit_person"),
        "can_merge": has_capability(user, "merge_person"),
        "can_approve": has_capability(user, "approve"),
        "shows_identity": display.shows_identity(user),
        "shows_phone": display.shows_phone(user),
    }


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Find persons by name, identity number or phone (full or last 4+ digits)."""
    queries.require_person_access(request.user)
    q = request.GET.get("q", "").strip()[:100]
    pick_for = request.GET.get("pick_for", "")
    page = Paginator(queries.search_persons(request.user, q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    actions.record_person_search(
        acting_user=request.user,
        q=q,
        results=page.paginator.count,
        request=request,
        page=page.number,
        ids=[p.pk for p in page],
    )
    picking = pick_for.isdigit() and has_capability(request.user, "merge_person")
    context = {
        "q": q,
        "page": page,
        "pick_for": pick_for if picking else "",
        "too_short": queries.number_too_short(q),
        **_abilities(request.user),
    }
    if request.htmx:
        return render(request, "people/_results.html", context)
    return render(request, "people/search.html", context)


@require_GET
def detail(request: HttpRequest, person_id: int) -> HttpResponse:
    """A person's page: facts, household, source records, history and who viewed it."""
    person = queries.get_person_for_user(request, person_id)
    actions.record_person_view(acting_user=request.user, person=person, request=request)
    views, view_count = queries.person_views(person)
    context = {
        "person": person,
        "members": queries.household_members(person, request.user),
        "source_records": SourceRecord.objects.filter(person=person)
        .select_related("received_by")
        .order_by("-received_at", "-id"),
        "history": queries.person_history(person),
        "views": views,
        "view_count": view_count,
        "merged_from": Person.objects.filter(merged_into=person).order_by("id"),
        "open_merge": person.merges_lost.filter(undone_at=None).first()
        if person.merged_into_id
        else None,
        **health_codes.code_context(person, request.user),
        **_abilities(request.user),
    }
    return render(request, "people/detail.html", context)


def _duplicate_context(error: actions.DuplicatePersonError) -> dict:
    return {
        "candidates": [
            {"person": p, "reasons": [DUPLICATE_REASONS[r] for r in reasons]}
            for p, reasons in error.candidates
        ],
        "blocking": error.blocking,
    }


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    """Enter a person by hand; a possible duplicate is offered before a new record."""
    queries.require_person_access(request.user, "edit_person")
    form = PersonForm(request.POST or None, user=request.user)
    context: dict = {"form": form, "creating": True, **_abilities(request.user)}
    if request.method == "POST" and form.is_valid():
        data = form.person_data()
        same_as = request.POST.get("same_as", "")
        try:
            if same_as:
                existing = queries.get_person_for_user(request, same_as, capability="edit_person")
                actions.do_add_source_record(
                    acting_user=request.user,
                    person=existing,
                    source="manual",
                    payload=data,
                    request=request,
                )
                messages.success(request, _("The record was added to this person."))
                return redirect("people:detail", existing.pk)
            person = actions.do_create_person(
                acting_user=request.user,
                data=data,
                request=request,
                force=request.POST.get("force") == "1",
            )
        except ValidationError as error:
            add_action_errors(form, error)
        except actions.DuplicatePersonError as error:
            context.update(_duplicate_context(error))
        else:
            messages.success(request, _("The person was added to the index."))
            return redirect("people:detail", person.pk)
    return render(request, "people/form.html", context, status=200)


def _edit_initial(person: Person, user) -> dict:
    return {
        "name": person.name,
        "identity_type": person.identity_type,
        "identity_number": person.identity_number if display.shows_identity(user) else "",
        "nationality": person.nationality,
        "sex": person.sex,
        "birth_date": (
            person.birth_date.isoformat()
            if person.birth_date and display.shows_identity(user)
            else ""
        ),
        "phone": format_phone(person.phone) if display.shows_phone(user) else "",
        "village": person.village,
        "address": person.address,
    }


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, person_id: int) -> HttpResponse:
    """Change a person's data, with a reason kept in the history."""
    person = queries.get_person_for_user(request, person_id, capability="edit_person")
    if person.merged_into_id:
        messages.error(request, _("A merged person cannot be changed; change the survivor."))
        return redirect("people:detail", person.pk)
    initial = _edit_initial(person, request.user)
    keep_masked = {
        name
        for name, shown in (
            ("identity_number", display.shows_identity(request.user)),
            ("birth_date", display.shows_identity(request.user)),
            ("phone", display.shows_phone(request.user)),
        )
        if not shown and getattr(person, name)
    }
    form = PersonEditForm(
        request.POST or None, initial=initial, user=request.user, keep_masked=keep_masked
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_person(
                acting_user=request.user,
                person=person,
                changes=form.changes(initial),
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("people:detail", person.pk)
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "person": person,
            "creating": False,
            **_abilities(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, person_id: int) -> HttpResponse:
    """Merge another record into this person: choose it, give a reason, confirm."""
    person = queries.get_person_for_user(request, person_id, capability="merge_person")
    if person.merged_into_id:
        messages.error(request, _("This record was merged already; merge into the survivor."))
        return redirect("people:detail", person.merged_into_id)
    other_id = request.POST.get("other") or request.GET.get("other") or ""
    other = None
    if other_id:
        other = queries.get_person_for_user(request, other_id, capability="merge_person")
    form = MergeForm(request.POST or None, initial={"other": other_id})
    if request.method == "POST" and form.is_valid() and other is not None:
        try:
            actions.do_merge_persons(
                acting_user=request.user,
                survivor=person,
                merged=other,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The two records are merged."))
            return redirect("people:detail", person.pk)
    return render(
        request,
        "people/merge.html",
        {
            "form": form,
            "person": person,
            "other": other,
            **_abilities(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    """Undo a merge after confirmation: the merged record comes back with its rows."""
    merge = queries.get_merge_for_user(request, merge_id)
    if request.method == "POST":
        try:
            actions.do_undo_merge(acting_user=request.user, merge=merge, request=request)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The merge was undone."))
            return redirect("people:detail", merge.merged_id)
    return render(request, "people/merge_undo.html", {"merge": merge})
