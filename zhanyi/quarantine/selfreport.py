"""The public self-report pages (自报): no account. A person under home
monitoring opens their one-time link (``r/<token>/``) or types their short
code (``r/``) and reports temperature and symptoms; the page shows nothing
else, and the link expires when the monitoring ends."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from . import actions
from .models import Monitoring


class ReportForm(forms.Form):
    temperature = forms.DecimalField(
        label=gettext_lazy("Temperature (°C)"), max_digits=3, decimal_places=1
    )
    symptoms = forms.CharField(
        label=gettext_lazy("Symptoms (cough, sore throat…), if any"), max_length=255, required=False
    )


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Your code"), max_length=16)


def _expired(request: HttpRequest) -> HttpResponse:
    return render(request, "quarantine/self_report_expired.html", status=410)


@login_not_required
@require_http_methods(["GET", "POST"])
def enter_code(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip().upper().replace(" ", "")
        monitoring = Monitoring.objects.filter(code=code).first()
        if monitoring is None:
            form.add_error("code", _("No such code."))
        elif timezone.now() >= monitoring.ends_at:
            return _expired(request)
        else:
            return redirect("quarantine:self-report", token=monitoring.token)
    return render(request, "quarantine/self_report_code.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, token: str) -> HttpResponse:
    monitoring = Monitoring.objects.filter(token=token).first()
    if monitoring is None or timezone.now() >= monitoring.ends_at:
        return _expired(request)
    form = ReportForm(request.POST or None)
    done = False
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_self_report(
                monitoring,
                temperature=form.cleaned_data["temperature"],
                symptoms=form.cleaned_data["symptoms"],
                request=request,
            )
            done = True
            form = ReportForm()
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
    return render(
        request,
        "quarantine/self_report.html",
        {"form": form, "done": done, "ends_at": monitoring.ends_at},
    )
