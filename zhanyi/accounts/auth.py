"""Checking a user name and password: throttled and audited, for every way in.

The web log-in form, the admin site's log-in form and the API token endpoint
all call ``authenticate_throttled``; a new way in must too.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication as BaseTokenAuthentication

from zhanyi.core import audit

from . import throttle
from .fastpath import token as token_fastpath
from .models import User


class LoginThrottled(Exception):
    """Too many failures: refused without looking at the password."""

    def __init__(self, lockout: throttle.Lockout):
        self.lockout = lockout
        super().__init__(self.message)

    @property
    def message(self) -> str:
        when = formats.time_format(timezone.localtime(self.lockout.until), "H:i")
        return _(
            "Too many failed log-in attempts for this user name from this address, or "
            "from this address. Try again after %(time)s."
        ) % {"time": when}


def _target_area(username: str):
    # So that the administrators of the user's area see attacks on the account.
    user = User.objects.filter(username=username).select_related("jurisdiction").first()
    return user.jurisdiction if user is not None else None


def authenticate_throttled(request: Any, username: str, password: str, *, via: str) -> User | None:
    """The user whose credentials these are, or ``None``; raises ``LoginThrottled``.

    ``via`` names the way in for the audit trail: ``"web"``, ``"admin"``, ``"api"``.
    """
    ip = audit.client_ip(request)
    lockout = throttle.attempt(username, ip)
    if lockout is not None:
        audit.record(
            actor=None,
            action="login.throttled",
            object_type="accounts.user",
            object_label=username,
            area=_target_area(username),
            request=request,
            detail={"via": via, "scope": lockout.scope, "until": lockout.until},
        )
        raise LoginThrottled(lockout)
    user = authenticate(getattr(request, "_request", request), username=username, password=password)
    if user is None:
        audit.record(
            actor=None,
            action="login.failed",
            object_type="accounts.user",
            object_label=username,
            area=_target_area(username),
            request=request,
            detail={"via": via},
        )
        return None
    throttle.succeeded(username, ip)
    audit.record(
        actor=user,
        action="login.succeeded",
        obj=user,
        request=request,
        area=user.jurisdiction,
        detail={"via": via},
    )
    return user


class TokenAuthentication(BaseTokenAuthentication):
    """DRF's token authentication, with the user's jurisdiction read in the
    same query: every API call checks it (``zhanyi.core.jurisdiction``).

    The query is one prepared statement (``zhanyi.accounts.fastpath.token``),
    read afresh on every call: a token deleted or a user deactivated is
    refused at the next request, in every server process. Compiling the
    ORM's ``select_related`` query cost about a millisecond of each API call
    (a checkpoint's check: docs/checkpoints.md)."""

    def authenticate_credentials(self, key):
        return token_fastpath.check(key)
