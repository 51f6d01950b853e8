"""Cases (病例) and a case's investigation on the tracing workbench: the case
list, creating and updating a case, trajectory, interviews, exposures,
expanding its contacts and completing the investigation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhanyi.accounts.roles import has_capability
from zhanyi.core import metrics
from zhanyi.core.forms import add_action_errors
from zhanyi.people import actions as people_actions
from zhanyi.tracing import actions, queries
from zhanyi.tracing.forms import (
    AssignForm,
    CaseForm,
    CaseUpdateForm,
    ExposureForm,
    InterviewForm,
    SourceForm,
    TrajectoryForm,
)
from zhanyi.tracing.models import CaseStatus, ContactKind

PAGE_SIZE = 30
FIGURES = [
    "tracing.cases",
    "tracing.close_contacts",
    "tracing.secondary_contacts",
    "tracing.overdue_investigations",
]


def _figures(request: HttpRequest) -> metrics.FigureValues:
    return metrics.figures_for(request.user, FIGURES, fresh=metrics.fresh_requested(request))


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The cases in the user's jurisdiction, newest first; overdue ones flagged."""
    qs = queries.cases_for(request.user)
    status = request.GET.get("status", "")
    status = status if status in CaseStatus.values else ""
    overdue = request.GET.get("overdue") == "1"
    team = request.GET.get("team", "")
    team = team if team.isdigit() else ""
    if team:
        qs = qs.filter(team_id=int(team))
    page = Paginator(queries.filter_cases(qs, status=status, overdue=overdue), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "tracing/home.html",
        {
            "page": page,
            "status": status,
            "overdue": overdue,
            "statuses": CaseStatus.choices,
            "team": team,
            "my_teams": queries.tracing_teams_for(request.user).filter(members__user=request.user),
            "figures": _figures(request),
            "can_edit": has_capability(request.user, "edit_person"),
        },
    )


@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    """Enter a case by hand."""
    queries.require_tracing_access(request.user, "edit_person")
    person_given = request.GET.get("person", "")
    form = CaseForm(
        request.POST or None,
        user=request.user,
        initial={"person_id": person_given} if person_given.isdigit() else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = data["person_id"]
            case = actions.do_create_case(
                acting_user=request.user,
                person=person,
                classification=data["classification"],
                sampled_at=data["sampled_at"],
                reported_at=data["reported_at"],
                onset_date=data["onset_date"],
                isolated_at=data["isolated_at"],
                hospital=data["hospital"],
                protocol_name=data["protocol_name"],
                notes=data["notes"],
                request=request,
            )
        except actions.DuplicateCase as duplicate:
            # The same form sent twice (a double tap, a resend) lands on the one case.
            messages.info(request, " ".join(duplicate.messages))
            return redirect("tracing:case", duplicate.case.pk)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Case #%(id)s created.") % {"id": case.pk})
            return redirect("tracing:case", case.pk)
    return render(request, "tracing/case_form.html", {"form": form})


# The case page's tabs: a case of the demo has hundreds of contacts and
# exposures, so each part is a tab of its own and the long ones are paginated.
TABS = (
    ("summary", gettext_lazy("Summary")),
    ("trajectory", gettext_lazy("Trajectory")),
    ("interviews", gettext_lazy("Interviews")),
    ("exposures", gettext_lazy("Exposures")),
    ("contacts", gettext_lazy("Contacts")),
    ("chain", gettext_lazy("Chain of transmission")),
)
# A form sent back with errors opens on its own tab.
FORM_TABS = {
    "update_form": "summary",
    "trajectory_form": "trajectory",
    "interview_form": "interviews",
    "exposure_form": "exposures",
}
LIST_SIZE = 50


def _to_tab(case, tab: str) -> HttpResponse:
    return redirect(f"{reverse('tracing:case', args=[case.pk])}?tab={tab}")


def _workbench_context(request: HttpRequest, case, **forms) -> dict:
    given = next((FORM_TABS[name] for name in FORM_TABS if forms.get(name)), "")
    tab = given or request.GET.get("tab", "")
    tab = tab if tab in dict(TABS) else "summary"
    contacts, hidden = queries.case_contacts(case, request.user)
    counts = queries.contact_counts(case)
    context = {
        "case": case,
        "tab": tab,
        "tabs": TABS,
        "counts": counts,
        "contacts_total": contacts.count(),
        "hidden_contacts": hidden,
        "can_edit": has_capability(request.user, "edit_person"),
        "can_void": has_capability(request.user, "approve"),
        "overdue": case.investigation_overdue(),
    }
    if tab == "summary":
        context["update_form"] = forms.get("update_form") or CaseUpdateForm(
            initial={
                "classification": case.classification,
                "onset_date": case.onset_date,
                "isolated_at": case.isolated_at,
                "hospital": case.hospital,
                "transferred_at": case.transferred_at,
            }
        )
        context["assignments"] = case.assignments.select_related("team")
        context["assign_form"] = AssignForm(teams=queries.tracing_teams_for(request.user))
        context["source"] = getattr(case, "infection_source", None)
        context["source_form"] = SourceForm()
    elif tab == "trajectory":
        context["trajectory"] = case.trajectory.select_related("place", "area")
        context["trajectory_form"] = forms.get("trajectory_form") or TrajectoryForm(
            user=request.user
        )
    elif tab == "interviews":
        context["interviews"] = case.interviews.select_related("interviewee")
        context["interview_form"] = forms.get("interview_form") or InterviewForm(user=request.user)
    elif tab == "exposures":
        exposures = case.exposures.select_related("person_a", "person_b", "place")
        context["page"] = Paginator(exposures, LIST_SIZE).get_page(request.GET.get("page"))
        context["query"] = urlencode({"tab": tab})
        context["exposure_form"] = forms.get("exposure_form") or ExposureForm(user=request.user)
        context["duplicates"] = forms.get("duplicates")
    elif tab == "contacts":
        kind = request.GET.get("kind", "")
        kind = kind if kind in ContactKind.values else ""
        search = request.GET.get("q", "").strip()[:50]
        shown = contacts.filter(kind=kind) if kind else contacts
        if search:
            shown = shown.filter(person__name__contains=search)
        page, rows = queries.contacts_by_person(
            shown, request.user, request.GET.get("page"), LIST_SIZE
        )
        context.update(
            page=page,
            rows=rows,
            kind=kind,
            q=search,
            kinds=ContactKind.choices,
            back="case",
            query=urlencode({"tab": tab, "kind": kind, "q": search}),
        )
    return context


@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """A case's investigation workbench."""
    case = queries.get_case_for_user(request, case_id)
    actions.record_case_view(acting_user=request.user, case=case, request=request)
    return render(request, "tracing/case.html", _workbench_context(request, case))


def _edit_case(request: HttpRequest, case_id: int):
    return queries.get_case_for_user(request, case_id, capability="edit_person")


@require_POST
def case_update(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _edit_case(request, case_id)
    form = CaseUpdateForm(request.POST)
    if form.is_valid():
        try:
            actions.do_update_case(
                case, acting_user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Case updated."))
            return redirect("tracing:case", case.pk)
    return render(
        request,
        "tracing/case.html",
        _workbench_context(request, case, update_form=form),
        status=400,
    )


@require_POST
def trajectory_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _edit_case(request, case_id)
    form = TrajectoryForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_add_trajectory_entry(
                case,
                acting_user=request.user,
                start=data["start"],
                end=data["end"],
                place=data["place_id"],
                description=data["description"],
                request=request,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return _to_tab(case, "trajectory")
    return render(
        request,
        "tracing/case.html",
        _workbench_context(request, case, trajectory_form=form),
        status=400,
    )


@require_POST
def interview_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _edit_case(request, case_id)
    form = InterviewForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_add_interview(
                case,
                acting_user=request.user,
                held_at=data["held_at"],
                summary=data["summary"],
                interviewee=data["interviewee_id"],
                request=request,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return _to_tab(case, "interviews")
    return render(
        request,
        "tracing/case.html",
        _workbench_context(request, case, interview_form=form),
        status=400,
    )


@require_POST
def exposure_add(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record an exposure; a new exposed person goes through the person
    index's duplicate check first."""
    case = _edit_case(request, case_id)
    posted = request.POST.copy()
    if (use := posted.get("use_person", "")).isdigit():
        # "Use this person" from the duplicate warning: the one already in the index.
        posted.setlist("person_id", [use])
        for key in ("name", "phone", "identity_number", "person_id__q"):
            posted.pop(key, None)
    form = ExposureForm(posted, user=request.user)
    duplicates = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            source = data["from_person_id"] or case.person
            if data["person_id"]:
                exposed = data["person_id"]
            else:
                exposed = people_actions.do_create_person(
                    acting_user=request.user,
                    data={
                        "name": data["name"],
                        "phone": data["phone"],
                        "identity_number": data["identity_number"],
                        "village": case.area,
                    },
                    source="interview",
                    source_ref=f"tracing.case:{case.pk}",
                    request=request,
                    force=request.POST.get("force") == "1",
                )
            actions.do_record_exposure(
                case,
                acting_user=request.user,
                person_a=source,
                person_b=exposed,
                setting=data["setting"],
                exposed_at=data["exposed_at"],
                certainty=data["certainty"],
                note=data["note"],
                request=request,
            )
        except people_actions.DuplicatePersonError as error:
            duplicates = error
            form.add_error(
                None,
                _(
                    "This person may be in the index already: use the one listed, or confirm "
                    "that they are someone else."
                ),
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Exposure recorded."))
            return _to_tab(case, "exposures")
    return render(
        request,
        "tracing/case.html",
        _workbench_context(request, case, exposure_form=form, duplicates=duplicates),
        status=400,
    )


@require_POST
def expand(request: HttpRequest, case_id: int) -> HttpResponse:
    """Determine the case's close and secondary contacts from its exposures."""
    case = _edit_case(request, case_id)
    result = actions.do_expand_contacts([case], acting_user=request.user, request=request)
    messages.success(
        request,
        _(
            "%(close)d new close contacts, %(secondary)d new secondary contacts, "
            "%(upgraded)d upgraded; %(handoffs)d hand-offs created."
        )
        % {
            "close": result.new_close,
            "secondary": result.new_secondary,
            "upgraded": result.upgraded,
            "handoffs": result.handoffs,
        },
    )
    return _to_tab(case, "contacts")


@require_POST
def complete(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _edit_case(request, case_id)
    try:
        actions.do_complete_investigation(case, acting_user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("tracing:case", case.pk)


@require_POST
def case_void(request: HttpRequest, case_id: int) -> HttpResponse:
    """Void a case filed twice or in error, with the reason (needs ``approve``)."""
    case = queries.get_case_for_user(request, case_id, capability="approve")
    try:
        actions.do_void_case(
            case, acting_user=request.user, reason=request.POST.get("reason", ""), request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("tracing:case", case.pk)
    messages.success(request, _("Case #%(id)s is voided; it counts nowhere now.") % {"id": case.pk})
    return redirect("tracing:home")


@require_POST
def case_assign(request: HttpRequest, case_id: int) -> HttpResponse:
    """Give the case to a tracing team, or move it (its team's leader, with a reason)."""
    case = _edit_case(request, case_id)
    form = AssignForm(request.POST, teams=queries.tracing_teams_for(request.user))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("tracing:case", case.pk)
    team = queries.tracing_teams_for(request.user).get(pk=form.cleaned_data["team"])
    try:
        actions.do_assign_case(
            case,
            team,
            acting_user=request.user,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Case #%(id)s is with %(team)s.") % {"id": case.pk, "team": team.name}
        )
    return redirect("tracing:case", case.pk)


@require_POST
def case_source(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record the probable source of the case's infection (溯源)."""
    case = _edit_case(request, case_id)
    form = SourceForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("tracing:case", case.pk)
    data = form.cleaned_data
    source_case = None
    if data["source_case"]:
        try:
            source_case = queries.get_case_for_user(request, data["source_case"])
        except Http404:
            messages.error(
                request,
                _("No case #%(id)s in your jurisdiction.") % {"id": data["source_case"]},
            )
            return redirect("tracing:case", case.pk)
    try:
        actions.do_record_source(
            case,
            acting_user=request.user,
            kind=data["kind"],
            source_case=source_case,
            origin=data["origin"],
            evidence=data["evidence"],
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The source of infection is recorded."))
    return redirect("tracing:case", case.pk)
