"""Pages of the screening app (协查/人员排查).

Deny by default: each view checks a capability and reads only through
``queries``, which apply the jurisdiction. A village team sees its village's
tasks; a township sees its villages' and its manual queue. HTMX requests get
fragments (templates starting with ``_``).
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhanyi.accounts.audit import SystemActor
from zhanyi.accounts.roles import capability_required, has_capability
from zhanyi.core import jurisdiction
from zhanyi.core.forms import add_action_errors
from zhanyi.core.metrics import FigureValues, area_for, figures_for, fresh_requested, registered
from zhanyi.people import display
from zhanyi.people.models import Household, Person

from . import actions, exports, jobs, queries
from .actions.intake import error_file_path
from .actions.linking import can_review
from .bridge import LinkageUnavailable
from .forms import (
    CampaignForm,
    OutcomeForm,
    ReassignForm,
    SourceForm,
    StepForm,
    UploadForm,
    VisitForm,
)
from .metrics import breakdowns_shown
from .models import PushSource, ScreeningTask
from .reading import PushListFileError

PAGE_SIZE = 30
ESCALATOR = SystemActor("system:screening-escalation")


def _abilities(user) -> dict:
    return {
        "can_import": queries.can_import(user),
        "can_review": can_review(user),
        "can_edit": has_capability(user, "edit_person"),
        "can_reassign": has_capability(user, "edit_operations"),
        "can_export": has_capability(user, "export"),
        "shows_identity": display.shows_identity(user),
        "shows_phone": display.shows_phone(user),
    }


def _screening_figures(request: HttpRequest) -> FigureValues:
    names = [f.name for f in registered() if f.name.startswith("screening.")]
    return figures_for(request.user, names, fresh=fresh_requested(request))


@require_GET
@capability_required("view_person")
def home(request: HttpRequest) -> HttpResponse:
    """The screening desk: figures, my open tasks, the queues for those who work them."""
    user = request.user
    queries.require_jurisdiction(user)
    breakdowns = breakdowns_shown(area_for(user), fresh=fresh_requested(request))
    context = {
        "figures": _screening_figures(request),
        "open_tasks": queries.open_tasks_for(user)[:10],
        "overdue_count": queries.overdue_tasks_for(user).count(),
        "review_count": queries.review_queue_for(user).count() if can_review(user) else 0,
        "by_source": breakdowns["source"],
        "by_area": breakdowns["area"],
        **_abilities(user),
    }
    return render(request, "screening/home.html", context)


# ---------------------------------------------------------------- intake


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    queries.require_import(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.start_import(
                form.cleaned_data["source"], form.cleaned_data["file"], user=request.user
            )
        except PushListFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("screening:job", job_id=job.pk)
    lists = queries.lists_for(request.user)[:20]
    return render(
        request,
        "screening/upload.html",
        {"form": form, "lists": lists, "sources": queries.sources(), **_abilities(request.user)},
    )


@require_GET
def job(request: HttpRequest, job_id: int) -> HttpResponse:
    """An import's progress; the fragment is polled until the job is done or failed."""
    the_job = queries.get_job_for_user(request.user, job_id)
    template = "screening/_job.html" if request.htmx else "screening/job.html"
    return render(request, template, {"job": the_job})


@require_GET
def push_list(request: HttpRequest, list_id: int) -> HttpResponse:
    the_list = queries.get_list_for_user(request.user, list_id)
    return render(
        request,
        "screening/list.html",
        {
            "push_list": the_list,
            "can_download_errors": the_list.error_file
            and queries.can_download_errors(request.user, the_list),
        },
    )


@require_GET
def error_file(request: HttpRequest, list_id: int) -> HttpResponse:
    the_list = queries.get_list_for_user(request.user, list_id)
    if not queries.can_download_errors(request.user, the_list):
        raise PermissionDenied("the error file needs the export capability")
    path = error_file_path(the_list)
    if path is None or not path.exists():
        raise Http404("this list has no error file")
    exports.record_download(request, the_list, "errors")
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"errors-{the_list.filename}.xlsx"
    )


@require_GET
@capability_required("view_person")
def template(request: HttpRequest) -> HttpResponse:
    """The push-list template (xlsx): the headers every source may use."""
    return FileResponse(
        io.BytesIO(exports.template_xlsx()), as_attachment=True, filename="push-list-template.xlsx"
    )


@require_http_methods(["GET", "POST"])
def source_edit(request: HttpRequest, source_id: int | None = None) -> HttpResponse:
    """Create a push source or change the column mapping saved for it."""
    queries.require_import(request.user)
    # Push sources only: the door-to-door campaigns' source is not edited here.
    source = get_object_or_404(queries.sources(), pk=source_id) if source_id else None
    initial = {}
    if source is not None:
        initial = {"name": source.name, "origin_city": source.origin_city}
        initial.update({f"map_{k}": v for k, v in source.column_mapping.items()})
    form = SourceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_source(
                acting_user=request.user,
                name=form.cleaned_data["name"],
                origin_city=form.cleaned_data["origin_city"],
                column_mapping=form.mapping(),
                source=source,
                request=request,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The source is saved."))
            return redirect("screening:upload")
    return render(request, "screening/source_form.html", {"form": form, "source": source})


# ---------------------------------------------------------------- review


@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.review_queue_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    exports.record_list_view(request, "review", page)
    return render(request, "screening/review.html", {"page": page, **_abilities(request.user)})


@require_http_methods(["GET", "POST"])
def review_record(request: HttpRequest, record_id: int) -> HttpResponse:
    record = queries.get_review_record_for_user(request.user, record_id)
    candidates = list(Person.objects.filter(pk__in=record.candidates).select_related("village"))
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "reject":
                actions.do_reject_candidates(record, acting_user=request.user, request=request)
            else:
                person = next(
                    (p for p in candidates if str(p.pk) == request.POST.get("person", "")), None
                )
                if person is None:
                    raise ValidationError(_("Choose one of the candidates."))
                actions.do_confirm_candidate(
                    record, person, acting_user=request.user, request=request
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except LinkageUnavailable as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The record is decided and dispatched."))
            return redirect("screening:review")
    exports.record_view(request, record, candidates)
    return render(
        request,
        "screening/review_record.html",
        {
            "record": record,
            "identity": display.identity_for(request.user, record.identity_number),
            "phone": display.phone_for(request.user, record.phone),
            "candidates": [
                {
                    "person": p,
                    "identity": display.identity_for(request.user, p.identity_number),
                    "phone": display.phone_for(request.user, p.phone),
                }
                for p in candidates
            ],
            **_abilities(request.user),
        },
    )


# ---------------------------------------------------------------- tasks


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
    context = {"page": page, "show": show, **_abilities(request.user)}
    if request.htmx:
        return render(request, "screening/_tasks.html", context)
    return render(request, "screening/tasks.html", context)


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
            target = outcome_form if outcome_form.is_bound else step_form
            if reassign_form.is_bound:
                target = reassign_form
            add_action_errors(target, error)
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
        **_abilities(request.user),
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
    return render(request, "screening/supervision.html", {"page": page, **_abilities(request.user)})


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


# ---------------------------------------------------------------- campaign


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def campaigns(request: HttpRequest) -> HttpResponse:
    form = None
    if has_capability(request.user, "edit_operations"):
        form = CampaignForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                campaign = actions.do_start_campaign(
                    acting_user=request.user,
                    name=form.cleaned_data["name"],
                    villages=list(form.cleaned_data["villages"]),
                    request=request,
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                return redirect("screening:campaign", campaign_id=campaign.pk)
    elif request.method == "POST":
        raise PermissionDenied("requires the 'edit_operations' capability")
    return render(
        request,
        "screening/campaigns.html",
        {"campaigns": queries.campaigns_for(request.user), "form": form},
    )


@require_GET
def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    the_campaign = queries.get_campaign_for_user(request.user, campaign_id)
    villages = jurisdiction.scope(the_campaign.villages.all(), request.user, "path")
    households = Household.objects.filter(village__in=villages).select_related("village")
    visited = dict(
        the_campaign.visits.filter(household__in=households).values_list("household_id", "pk")
    )
    page = Paginator(households.order_by("village__path", "address"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "screening/campaign.html",
        {
            "campaign": the_campaign,
            "villages": villages,
            "page": page,
            "visited": visited,
            "visited_count": len(visited),
            "household_count": households.count(),
        },
    )


@require_http_methods(["GET", "POST"])
def visit(request: HttpRequest, campaign_id: int, household_id: int) -> HttpResponse:
    the_campaign = queries.get_campaign_for_user(request.user, campaign_id)
    household = get_object_or_404(Household.objects.select_related("village"), pk=household_id)
    if not jurisdiction.can_see_area(request.user, household.village):
        raise Http404("no such household")
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_record_visit(
                the_campaign,
                household,
                acting_user=request.user,
                letter_delivered=data["letter_delivered"],
                questions_asked=data["questions_asked"],
                notice_posted=data["notice_posted"],
                nobody_home=data["nobody_home"],
                notes=data["notes"],
                arrivals=form.arrivals(),
                request=request,
            )
        except ValidationError as error:
            for problems in getattr(error, "message_dict", {"": error.messages}).values():
                for problem in problems:
                    form.add_error(None, problem)
        else:
            messages.success(request, _("The visit is recorded."))
            return redirect("screening:campaign", campaign_id=the_campaign.pk)
    return render(
        request,
        "screening/visit.html",
        {"campaign": the_campaign, "household": household, "form": form},
    )
