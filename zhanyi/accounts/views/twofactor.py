"""The second factor's page: enrolment with a QR code, the code at each log-in;
an administrator's reset of a user's devices."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from zhanyi.accounts import queries, twofactor
from zhanyi.accounts.actions import twofactor as actions
from zhanyi.accounts.landing import landing_url
from zhanyi.accounts.roles import capability_required


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Six-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return landing_url(request.user)


@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = twofactor.confirmed_device(user)
    verified = user.is_verified()
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if device is None:
            ok = actions.do_confirm_enrolment(user, code, request=request)
            done = _("Two-factor authentication is on for your account.")
        else:
            ok = actions.do_verify(user, code, request=request)
            done = ""
        if ok:
            if done:
                messages.success(request, done)
            return redirect(_next(request))
        form.add_error(
            "code",
            _("That code is not right, or has expired: try the code your app shows now."),
        )
    context = {
        "form": form,
        "enrolled": device is not None,
        "verified": verified,
        "required": twofactor.needs_two_factor(user),
        "next": _next(request),
    }
    if device is None:
        pending = actions.pending_device(user)
        context["otpauth"] = pending.config_url
        context["qr"] = twofactor.qr_svg(pending.config_url)
        context["secret"] = pending.config_url.split("secret=")[1].split("&")[0]
    response = render(request, "accounts/two_factor.html", context)
    add_never_cache_headers(response)  # the enrolment secret
    return response


@require_POST
@capability_required("manage_users")
def user_reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    account = queries.get_user_for_admin(request.user, pk)
    try:
        actions.do_reset_two_factor(account, actor=request.user, request=request)
    except PermissionDenied as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("The second factor of %(name)s is reset: they enrol again at their next log-in.")
            % {"name": account.username},
        )
    return redirect("accounts:user-edit", pk=account.pk)
