"""Publicity's pages (宣传): press conferences, public notices (drafted,
approved, published), the media tally and public-opinion items. Reading
needs ``view_person`` and a jurisdiction; recording ``edit_operations``;
approving and publishing a notice ``approve``. Every write is an action."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhanyi.accounts.roles import capability_required, has_capability
from zhanyi.core.forms import add_action_errors

from . import actions, queries
from .forms import ConferenceForm, FollowUpForm, MediaForm, NoticeForm, OpinionForm, PublishForm
from .models import NoticeState


def _can(request: HttpRequest, capability: str) -> bool:
    return has_capability(request.user, capability)


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def home(request: HttpRequest) -> HttpResponse:
    """The press conferences, and recording one."""
    conferences = queries.conferences_for(request.user)
    form = ConferenceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_record_conference(
                acting_user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The press conference is recorded."))
            return redirect("publicity:home")
    return render(
        request,
        "publicity/home.html",
        {
            "conferences": conferences[:100],
            "form": form,
            "can_edit": _can(request, "edit_operations"),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def notices(request: HttpRequest) -> HttpResponse:
    """The public notices, and drafting one (from a decision, or by hand)."""
    drafts = queries.drafts_for(request.user)
    form = NoticeForm(request.POST or None, user=request.user, drafts=drafts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, _sep, key = data["source"].partition(":")
        try:
            notice = actions.do_draft_notice(
                acting_user=request.user,
                title=data["title"],
                body=data["body"],
                area=data["area"],
                source_kind=kind,
                source_key=key,
                request=request,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The notice is drafted."))
            return redirect("publicity:notice", pk=notice.pk)
    state = request.GET.get("state", "")
    listed = queries.notices_for(request.user)
    if state in NoticeState.values:
        listed = listed.filter(state=state)
    return render(
        request,
        "publicity/notices.html",
        {
            "notices": listed[:200],
            "form": form,
            "states": NoticeState.choices,
            "state": state,
            "can_edit": _can(request, "edit_operations"),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """One notice: approving it, publishing it with its date."""
    item = queries.get_notice_for_user(request.user, pk)
    step = request.POST.get("step", "")
    form = PublishForm(request.POST if step == "publish" else None)
    if request.method == "POST":
        try:
            if step == "approve":
                actions.do_approve_notice(item, acting_user=request.user, request=request)
                return redirect("publicity:notice", pk=item.pk)
            if step == "publish" and form.is_valid():
                actions.do_publish_notice(
                    item, acting_user=request.user, request=request, **form.cleaned_data
                )
                return redirect("publicity:notice", pk=item.pk)
        except ValidationError as error:
            add_action_errors(form, error)
            messages.error(request, " ".join(error.messages))
        item.refresh_from_db()
    return render(
        request,
        "publicity/notice.html",
        {"notice": item, "form": form, "can_approve": _can(request, "approve")},
    )


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def media(request: HttpRequest) -> HttpResponse:
    """The tally of media reports by outlet and kind, and recording reports."""
    form = MediaForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_record_media_report(
                acting_user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The media reports are recorded."))
            return redirect("publicity:media")
    return render(
        request,
        "publicity/media.html",
        {
            "tally": queries.media_tally(request.user),
            "reports": queries.media_for(request.user)[:100],
            "form": form,
            "can_edit": _can(request, "edit_operations"),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def opinion(request: HttpRequest) -> HttpResponse:
    """Public-opinion items, the open ones first, and recording one."""
    form = OpinionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.do_record_opinion(
                acting_user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return redirect("publicity:opinion-item", pk=item.pk)
    items = queries.opinion_for(request.user).order_by("resolved_at", "-found_at")
    return render(
        request,
        "publicity/opinion.html",
        {"items": items[:200], "form": form, "can_edit": _can(request, "edit_operations")},
    )


@require_http_methods(["GET", "POST"])
@capability_required("view_person")
def opinion_item(request: HttpRequest, pk: int) -> HttpResponse:
    """One opinion item and its follow-up."""
    item = queries.get_opinion_for_user(request.user, pk)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_follow_up_opinion(
                item, acting_user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return redirect("publicity:opinion-item", pk=item.pk)
    return render(
        request,
        "publicity/opinion_item.html",
        {
            "item": item,
            "follow_ups": item.follow_ups.all(),
            "form": form,
            "can_edit": _can(request, "edit_operations"),
        },
    )
