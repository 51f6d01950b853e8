"""Two-factor authentication (双因素认证, TOTP) for the roles that matter most.

Who needs it: every account whose role can see full identity numbers
(``view_identity``) or take headquarters decisions (``approve``), superusers
included, whenever ``TWO_FACTOR_REQUIRED`` is on (``ZHANYI_TWO_FACTOR``; on by
default outside debug mode, and a production start refuses it off, zhanyi.E004).

How: django-otp's TOTP devices (an authenticator app: 30-second six-digit codes).
After the password, ``TwoFactorMiddleware`` sends such a user's session to
``/accounts/2fa/``: enrolment (a QR code of the ``otpauth://`` address, and the
secret as text) the first time, the code every later log-in. Until then every
page answers with that redirect, and an API call made with the session cookie
with 403. A lost phone: an administrator resets the user's devices (the user
enrols again at the next log-in), audited. API tokens are issued for such users
only with a current code (``POST /api/v1/accounts/token/`` with ``otp``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .roles import has_capability

if TYPE_CHECKING:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .models import User

#: Capabilities whose holders must use a second factor.
GUARDED = ("view_identity", "approve")


def required() -> bool:
    return bool(getattr(settings, "TWO_FACTOR_REQUIRED", False))


def needs_two_factor(user: User) -> bool:
    """Whether ``user``'s role (or being a superuser) calls for a second factor."""
    return required() and any(has_capability(user, c) for c in GUARDED)


def confirmed_device(user: User) -> TOTPDevice | None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def _exempt_prefixes() -> tuple[str, ...]:
    return (
        reverse("accounts:two-factor"),
        reverse("accounts:logout"),
        reverse("accounts:login"),
        reverse("set_language"),
        "/" + settings.STATIC_URL.lstrip("/"),
        "/healthz",
        "/metrics",
    )


class TwoFactorMiddleware:
    """Sends a session user who must use a second factor, and has not in this
    session, to the enrolment or verification page (after django-otp's
    ``OTPMiddleware``, which tells whether the session is verified)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not required():  # before touching request.user, which costs a query
            return self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and needs_two_factor(user)
            and not user.is_verified()
            and not request.path_info.startswith(_exempt_prefixes())
        ):
            if request.path_info.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Verify your second factor on the web page first.")},
                    status=403,
                )
            return redirect(
                reverse("accounts:two-factor") + "?" + urlencode({"next": request.get_full_path()})
            )
        return self.get_response(request)


def qr_svg(text: str) -> str:
    """An SVG QR code of ``text`` (for the enrolment page; drawn here, never fetched)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")
