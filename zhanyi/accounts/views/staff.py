"""Staff in bulk: load a spreadsheet, disable leaving staff, set-password links.

Loading and disabling need ``manage_users`` and act inside the administrator's
jurisdiction (``actions.staff``); the set-password page is public and checks its
own one-time token.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhanyi.accounts import queries
from zhanyi.accounts.actions import staff
from zhanyi.accounts.models import User
from zhanyi.accounts.roles import capability_required


class StaffUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Staff spreadsheet"),
        help_text=gettext_lazy("xlsx, xls or CSV: 姓名, 手机, 角色, 管辖范围, 专班 (optional)."),
    )


class DeactivateForm(forms.Form):
    phones = forms.CharField(
        label=gettext_lazy("Phones of the leaving staff"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One a line, or separated by commas."),
    )


def _never_cached(response: HttpResponse) -> HttpResponse:
    # Set-password links are credentials: shown in this response only.
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
@capability_required("manage_users")
def staff_page(request: HttpRequest) -> HttpResponse:
    """Load a staff spreadsheet; the result with its links is shown once."""
    form = StaffUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = staff.do_import_staff(upload, upload.name, actor=request.user, request=request)
    response = render(
        request,
        "accounts/staff.html",
        {
            "form": form,
            "deactivate_form": DeactivateForm(),
            "result": result,
            "imports": queries.staff_imports_for(request.user)[:10],
        },
    )
    return _never_cached(response)


@require_POST
@capability_required("manage_users")
def staff_deactivate(request: HttpRequest) -> HttpResponse:
    form = DeactivateForm(request.POST)
    outcome = None
    if form.is_valid():
        outcome = staff.do_deactivate_staff(
            staff.split_phones(form.cleaned_data["phones"]), actor=request.user, request=request
        )
    return render(
        request,
        "accounts/staff.html",
        {
            "form": StaffUploadForm(),
            "deactivate_form": form,
            "outcome": outcome,
            "imports": queries.staff_imports_for(request.user)[:10],
        },
    )


@require_GET
@capability_required("manage_users")
def staff_errors(request: HttpRequest, staff_import_id: int) -> HttpResponse:
    """The refused rows of one import, with what to fix (xlsx)."""
    record = queries.get_staff_import_for_user(request.user, staff_import_id)
    if not record.error_file:
        raise Http404("this import refused no row")
    response = HttpResponse(
        bytes(record.error_file),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="staff-refused-{record.pk}.xlsx"'
    return response


@require_POST
@capability_required("manage_users")
def user_password_link(request: HttpRequest, pk: int) -> HttpResponse:
    """A fresh set-password link for one account, shown once."""
    account = queries.get_user_for_admin(request.user, pk)
    try:
        link = staff.do_issue_password_link(account, actor=request.user, request=request)
    except (PermissionDenied, ValidationError) as refused:
        messages.error(request, " ".join(getattr(refused, "messages", None) or [str(refused)]))
        return redirect("accounts:user-edit", pk=account.pk)
    response = render(
        request,
        "accounts/password_link.html",
        {"account": account, "link": link, "expires_at": staff.link_expiry()},
    )
    return _never_cached(response)


def _user_of_link(uidb64: str, token: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


@login_not_required
@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The page a one-time link opens: the user chooses their password."""
    user = _user_of_link(uidb64, token)
    if user is None:
        response = render(request, "accounts/set_password.html", {"invalid": True}, status=404)
        return _never_cached(response)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        staff.do_set_password_by_link(
            user, new_password=form.cleaned_data["new_password1"], request=request
        )
        messages.success(request, _("Your password is set. Log in with your user name and it."))
        return redirect("accounts:login")
    response = render(request, "accounts/set_password.html", {"form": form, "account": user})
    response["Referrer-Policy"] = "no-referrer"
    return _never_cached(response)
