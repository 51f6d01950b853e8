"""The API token checked in one hand-written statement (fast path).

DRF's ``TokenAuthentication`` (``zhanyi.accounts.auth``) compiles its query
through the ORM on every call, which cost more than the rest of a sampling
point's scan. Here the query is written once and prepared on the connection
(``zhanyi.core.fastpath.statements``); the scan lane joins the scan's context
to it, so a scan reads its user and its site and round in one statement.
Every answer equals DRF's: ``key`` takes a header only when DRF would read a
key from it, ``credentials`` refuses what DRF refuses.
"""

from __future__ import annotations

import functools

from django.db import connection
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from zhanyi.accounts.models import User
from zhanyi.core.fastpath import statements
from zhanyi.places.models import Area

KEYWORD = b"token"


def key(authorization: str) -> str | None:
    """The token key of an ``Authorization`` header's value, or None when
    DRF's token authentication would not find one in it (another scheme, or
    a malformed header, which DRF refuses: the general stack answers that)."""
    # As DRF reads the header: its bytes (ISO-8859-1, as WSGI gives them)
    # split at ASCII white space only, the key decoded as UTF-8.
    try:
        parts = authorization.encode("iso-8859-1").split()
        if len(parts) != 2 or parts[0].lower() != KEYWORD:
            return None
        return parts[1].decode()
    except UnicodeError:
        return None


def check(token_key: str) -> tuple[User, Token]:
    """(user, token) for a key, the user's jurisdiction loaded, as
    ``TokenAuthentication.authenticate_credentials`` answers (AuthenticationFailed
    for an unknown key or an inactive user)."""
    select, joined = token_query()
    with statements.cursor() as cursor:
        cursor.execute(f"SELECT {select} {joined} WHERE t.key = %s", [token_key])
        row = cursor.fetchone()
    return credentials(row)


@functools.cache
def token_query() -> tuple[str, str]:
    """The column list and the FROM clause (token ``t``, its user, the user's
    jurisdiction) of the token's query, for ``credentials`` to read; the scan
    lane joins more to it."""
    quote = connection.ops.quote_name
    tokens, users, areas = (statements.loader(m) for m in (Token, User, Area))
    return (
        f"{tokens.select('t')}, {users.select('u')}, {areas.select('a')}",
        f"FROM {quote(Token._meta.db_table)} t "
        f"JOIN {quote(User._meta.db_table)} u ON u.id = t.user_id "
        f"LEFT JOIN {quote(Area._meta.db_table)} a ON a.id = u.jurisdiction_id",
    )


@functools.cache
def token_width() -> int:
    """How many of a row's first columns ``token_query`` selects."""
    return sum(statements.loader(m).width for m in (Token, User, Area))


def credentials(row) -> tuple[User, Token]:
    """(user, token) from a row of ``token_query`` (None: no such token), as
    DRF's token authentication answers: an unknown token or an inactive user
    is refused."""
    if row is None:
        raise AuthenticationFailed(_("Invalid token."))
    tokens, users, areas = (statements.loader(m) for m in (Token, User, Area))
    token = tokens.load(row[: tokens.width])
    user = users.load(row[tokens.width : tokens.width + users.width])
    area_values = row[tokens.width + users.width : token_width()]
    user.jurisdiction = areas.load(area_values) if area_values[0] is not None else None
    token.user = user
    if not user.is_active:
        raise AuthenticationFailed(_("User inactive or deleted."))
    return user, token
