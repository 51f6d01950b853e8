"""The daily meeting's pages (每日调度会): the list and recording one, one
meeting's pack (what changed, what is overdue, the decisions) and its files."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import has_capability
from zhanyi.command import actions, exports, queries
from zhanyi.command.forms import DirectiveForm, MeetingForm
from zhanyi.command.models import Meeting
from zhanyi.core.forms import add_action_errors


def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = queries.meetings_for_user(request.user)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.do_record_meeting(
                acting_user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The meeting is recorded."))
            return redirect("command:meeting", pk=meeting.pk)
    return render(
        request,
        "command/meeting_list.html",
        {
            "meetings": meetings[:100],
            "form": form,
            "can_record": has_capability(request.user, "approve"),
        },
    )


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = queries.get_meeting_for_user(request.user, pk)
    form = DirectiveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_record_decision(
                meeting, acting_user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The decision is recorded as a directive."))
            return redirect("command:meeting", pk=meeting.pk)
    context = exports.meeting_context(queries.meeting_pack(meeting, request.user))
    context["form"] = form
    context["can_decide"] = has_capability(request.user, "approve")
    return render(request, "command/meeting_detail.html", context)


def meeting_response(request: HttpRequest, meeting: Meeting, fmt: str) -> HttpResponse:
    """The pack as a file of ``fmt`` (docx, pdf), for the page and the API."""
    if fmt not in exports.MEETING_WRITERS:
        raise Http404(_("No such format."))
    body = exports.MEETING_WRITERS[fmt](queries.meeting_pack(meeting, request.user))
    when = timezone.localtime(meeting.held_at)
    response = HttpResponse(body, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="meeting-{when:%Y%m%d-%H%M}.{fmt}"'
    return response


def meeting_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    meeting = queries.get_meeting_for_user(request.user, pk)
    if fmt == "print":
        pack = queries.meeting_pack(meeting, request.user)
        return render(request, "command/meeting_print.html", exports.meeting_context(pack))
    return meeting_response(request, meeting, fmt)
