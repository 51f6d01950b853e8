"""Checking a user name and password: throttled and audited, for every way in.

The web log-in form, the admin site's log-in form and the API token endpoint
all call ``authenticate_throttled``; a new way in must too.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth import authenticate
from django.db import connection
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication as BaseTokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from zhanyi.core import rows
from zhanyi.places.models import Area

from . import audit, throttle
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
            "Too many failed log-in attempts for this user name or from this address. "
            "Try again after %(time)s."
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
    lockout = throttle.lockout(username, ip)
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
        throttle.note_failure(username, ip)
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
    throttle.note_success(username)
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
    """DRF's token authentication in one plain query, the user's jurisdiction with it.

    Every API call checks the jurisdiction (``zhanyi.core.jurisdiction``), so
    reading it with the token saves each request a second query; the query is
    written once (``zhanyi.core.rows``) rather than compiled by the ORM on
    every call, which cost more than the rest of a sampling point's scan.
    """

    def authenticate_credentials(self, key):
        token_model = self.get_model()
        select, joined = token_query(token_model)
        with rows.cursor() as cursor:
            cursor.execute(f"SELECT {select} {joined} WHERE t.key = %s", [key])
            row = cursor.fetchone()
        return credentials(token_model, row)


@functools.cache
def token_query(token_model) -> tuple[str, str]:
    """The column list and the FROM clause (token ``t``, its user, the user's
    jurisdiction) of the token's query, for ``credentials`` to read; a hot
    path (the scan lane) may join more to it."""
    quote = connection.ops.quote_name
    tokens, users, areas = rows.loader(token_model), rows.loader(User), rows.loader(Area)
    return (
        f"{tokens.select('t')}, {users.select('u')}, {areas.select('a')}",
        f"FROM {quote(token_model._meta.db_table)} t "
        f"JOIN {quote(User._meta.db_table)} u ON u.id = t.user_id "
        f"LEFT JOIN {quote(Area._meta.db_table)} a ON a.id = u.jurisdiction_id",
    )


def token_width(token_model) -> int:
    """How many of a row's first columns ``token_query`` selects."""
    return rows.loader(token_model).width + rows.loader(User).width + rows.loader(Area).width


def credentials(token_model, row) -> tuple[User, Any]:
    """(user, token) from a row of ``token_query`` (None: no such token), as
    DRF's token authentication answers: an unknown token or an inactive user
    is refused."""
    if row is None:
        raise AuthenticationFailed(_("Invalid token."))
    tokens, users, areas = rows.loader(token_model), rows.loader(User), rows.loader(Area)
    token = tokens.load(row[: tokens.width])
    user = users.load(row[tokens.width : tokens.width + users.width])
    area_values = row[tokens.width + users.width : token_width(token_model)]
    user.jurisdiction = areas.load(area_values) if area_values[0] is not None else None
    token.user = user
    if not user.is_active:
        raise AuthenticationFailed(_("User inactive or deleted."))
    return user, token
