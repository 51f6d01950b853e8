"""The location data feeds' page (运营商位置数据): what arrived each day, what
was ingested into the companion store and what was refused and why; a file
can be uploaded here too (it waits for the scheduler like a dropped one)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from zhanyi.engine.protocol import DEFAULT_PROTOCOL
from zhanyi.tracing.actions.common import protocol
from zhanyi.tracing.actions.feeds import (
    REJECT_LABELS,
    can_feed,
    do_receive_stay_file,
    expected_columns,
    feed_days,
    feeds_dir,
    last_purge,
)
from zhanyi.tracing.models import StayFile


class FeedForm(forms.Form):
    operator = forms.CharField(label=gettext_lazy("Operator"), max_length=100, required=False)
    file = forms.FileField(label=gettext_lazy("Stay file (CSV or Parquet)"))


@require_http_methods(["GET", "POST"])
def feeds(request: HttpRequest) -> HttpResponse:
    if not can_feed(request.user):
        raise PermissionDenied(_("The data feeds are for data staff."))
    form = FeedForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        record = do_receive_stay_file(
            upload,
            filename=upload.name,
            operator=form.cleaned_data["operator"],
            via=StayFile.Via.PAGE,
            acting_user=request.user,
            request=request,
        )
        if record.status == StayFile.Status.REFUSED:
            form.add_error("file", record.reason)
        else:
            messages.success(
                request, _("The file is received; the scheduler ingests it within minutes.")
            )
            return redirect("tracing:feeds")
    days = feed_days()
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = days[0]["arrived_on"] if days else None
    files = [
        (f, [(REJECT_LABELS.get(k, k), n) for k, n in (f.rejects or {}).items()])
        for f in (StayFile.objects.filter(arrived_on=day).order_by("id") if day else [])
    ]
    return render(
        request,
        "tracing/feeds.html",
        {
            "form": form,
            "days": days,
            "day": day,
            "files": files,
            "folder": feeds_dir(),
            "expected": expected_columns(),
            "retention_days": protocol(DEFAULT_PROTOCOL).companion.retention_days,
            "last_purge": last_purge(),
        },
    )
