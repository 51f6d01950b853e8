"""The twice-daily report's pages (每日两报): the list, one report, its files."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.accounts.roles import has_capability
from zhanyi.command import actions, exports, queries
from zhanyi.command.models import Report
from zhanyi.core.forms import add_action_errors


class CommentaryForm(forms.Form):
    commentary = forms.CharField(
        label=gettext_lazy("Commentary"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


def report_list(request: HttpRequest) -> HttpResponse:
    reports = queries.reports_for_user(request.user)
    latest = actions.reports.latest_slot(timezone.now())
    if request.method == "POST":
        try:
            report = actions.do_take_report(
                acting_user=request.user, scheduled_for=latest, request=request
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("command:report-list")
        return redirect("command:report-detail", pk=report.pk)
    return render(
        request,
        "command/report_list.html",
        {
            "reports": reports[:100],
            "latest_slot": latest,
            "latest_taken": Report.objects.filter(scheduled_for=latest).exists(),
            "can_take": has_capability(request.user, "approve"),
        },
    )


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = queries.get_report_for_user(request.user, pk)
    form = CommentaryForm(request.POST or None, initial={"commentary": report.commentary})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_comment_report(
                report,
                acting_user=request.user,
                commentary=form.cleaned_data["commentary"],
                request=request,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The commentary is saved."))
            return redirect("command:report-detail", pk=report.pk)
    context = exports.page_context(queries.report_sheet(report, request.user))
    context["form"] = form
    context["can_comment"] = has_capability(request.user, "approve")
    return render(request, "command/report_detail.html", context)


def export_response(request: HttpRequest, report: Report, fmt: str) -> HttpResponse:
    """The report as a file of ``fmt`` (docx, pdf, xlsx), for the page and the API."""
    if fmt not in exports.WRITERS:
        raise Http404(_("No such format."))
    body = exports.WRITERS[fmt](queries.report_sheet(report, request.user))
    when = timezone.localtime(report.scheduled_for)
    response = HttpResponse(body, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="report-{when:%Y%m%d-%H%M}.{fmt}"'
    return response


def report_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    report = queries.get_report_for_user(request.user, pk)
    return export_response(request, report, fmt)
