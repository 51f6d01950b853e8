"""Log-in, profile, user administration and the audit log pages.

Each view says who may use it: log-in is public; the profile needs a log-in;
the audit log needs ``view_audit``; user administration needs ``manage_users``
and shows only accounts inside the administrator's jurisdiction.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanyi.accounts import actions, queries
from zhanyi.accounts.forms import AuditFilterForm, LoginForm, UserForm
from zhanyi.accounts.landing import landing_url
from zhanyi.accounts.models import Role
from zhanyi.accounts.roles import CAPABILITIES, capabilities_of, capability_required
from zhanyi.accounts.twofactor import confirmed_device
from zhanyi.core import audit

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    """Log-in (登录): throttled and audited (see ``auth``)."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)

    def get_redirect_url(self) -> str:
        # Sent to log in from the front page: land on one's own work instead.
        target = super().get_redirect_url()
        return "" if target == "/" else target


def landing(request: HttpRequest) -> HttpResponse:
    """The user's own start page (``accounts.landing``)."""
    return redirect(landing_url(request.user))


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            audit.record(
                actor=request.user,
                action="logout",
                obj=request.user,
                request=request,
                area=request.user.jurisdiction,
            )
        return super().post(request, *args, **kwargs)


def me(request: HttpRequest) -> HttpResponse:
    """The user's own account: who they are, what they may do, their password."""
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_change_own_password(
            user, new_password=form.cleaned_data["new_password1"], request=request
        )
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("accounts:me")
    return render(
        request,
        "accounts/me.html",
        {
            "form": form,
            "capabilities": [(c, CAPABILITIES[c]) for c in sorted(capabilities_of(user))],
            "two_factor_enrolled": confirmed_device(user) is not None,
        },
    )


@capability_required("view_audit")
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit trail, newest first, filtered; HTMX requests get the table only."""
    form = AuditFilterForm(request.GET or None)
    events = queries.visible_audit_events(request.user)
    if form.is_bound and form.is_valid():
        events = queries.filter_audit_events(events, **form.filters())
    elif form.is_bound:
        events = events.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    if request.htmx:
        return render(request, "accounts/_audit_table.html", context)
    return render(request, "accounts/audit_log.html", context)


@capability_required("manage_users")
def user_list(request: HttpRequest) -> HttpResponse:
    users = queries.search_users(
        queries.manageable_users(request.user),
        q=request.GET.get("q", "").strip(),
        role=request.GET.get("role", ""),
        active=request.GET.get("active", ""),
    )
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "roles": Role.choices,
        "query": query.urlencode(),
        "q": request.GET.get("q", ""),
        "role": request.GET.get("role", ""),
        "active": request.GET.get("active", ""),
    }
    if request.htmx:
        return render(request, "accounts/_user_table.html", context)
    return render(request, "accounts/user_list.html", context)


def _form_errors_from(form: UserForm, error: ValidationError | PermissionDenied) -> None:
    for message in getattr(error, "messages", None) or [str(error)]:
        form.add_error(None, message)


def _password_page(request: HttpRequest, account, password: str, created: bool) -> HttpResponse:
    # Shown once, in this response only: never stored in a message, a session or a cache.
    response = render(
        request,
        "accounts/user_password.html",
        {
            "account": account,
            "password": password,
            "created": created,
        },
    )
    add_never_cache_headers(response)
    return response


@capability_required("manage_users")
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        password = actions.generate_password()
        data = form.cleaned_data
        try:
            user = actions.do_create_user(
                actor=request.user,
                password=password,
                request=request,
                username=data["username"],
                role=data["role"],
                jurisdiction=data["jurisdiction"],
                task_force=data["task_force"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                phone=data["phone"],
            )
        except (ValidationError, PermissionDenied) as error:
            _form_errors_from(form, error)
        else:
            return _password_page(request, user, password, created=True)
    return render(request, "accounts/user_form.html", {"form": form, "account": None})


@capability_required("manage_users")
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = queries.get_user_for_admin(request.user, pk)
    form = UserForm(request.POST or None, actor=request.user, instance=account)
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.do_update_user(
                account, actor=request.user, request=request, **form.changes()
            )
        except (ValidationError, PermissionDenied) as error:
            _form_errors_from(form, error)
        else:
            if changed:
                messages.success(
                    request, _("The account %(name)s has been saved.") % {"name": account.username}
                )
            return redirect("accounts:user-list")
    history = queries.filter_audit_events(
        queries.visible_audit_events(request.user),
        object_type="accounts.user",
        object_id=str(account.pk),
    )[:20]
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "account": account,
            "history": history,
        },
    )


@require_POST
@capability_required("manage_users")
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = queries.get_user_for_admin(request.user, pk)
    try:
        actions.do_deactivate_user(account, actor=request.user, request=request)
    except PermissionDenied as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, _("The account %(name)s has been deactivated.") % {"name": account.username}
        )
    return redirect("accounts:user-edit", pk=account.pk)


@require_POST
@capability_required("manage_users")
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = queries.get_user_for_admin(request.user, pk)
    try:
        actions.do_reactivate_user(account, actor=request.user, request=request)
    except PermissionDenied as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, _("The account %(name)s has been reactivated.") % {"name": account.username}
        )
    return redirect("accounts:user-edit", pk=account.pk)


@require_POST
@capability_required("manage_users")
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = queries.get_user_for_admin(request.user, pk)
    try:
        password = actions.do_reset_password(account, actor=request.user, request=request)
    except PermissionDenied as refused:
        messages.error(request, str(refused))
        return redirect("accounts:user-edit", pk=account.pk)
    return _password_page(request, account, password, created=False)
