"""System checks that refuse a production start (生产环境) that is not safe.

Settings already refuse a missing or well-known ``ZHANYI_SECRET_KEY`` unless in
debug or test mode; these checks say the same at ``zhanyi check --deploy`` and
at every start, and add what settings cannot see: demo accounts, whose
passwords were printed on a terminal, must not exist outside debug mode.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError

WEAK_KEY_PREFIXES = ("django-insecure",)
MIN_KEY_LENGTH = 32
#: Different characters a key needs: 32 zeros are 32 characters and no secret.
MIN_KEY_DISTINCT = 10


def is_weak_secret_key(key: str) -> bool:
    known = getattr(settings, "KNOWN_BAD_SECRET_KEYS", {"", "changeme"})
    return (
        key in known
        or key.startswith(WEAK_KEY_PREFIXES)
        or len(key) < MIN_KEY_LENGTH
        or len(set(key)) < MIN_KEY_DISTINCT
    )


@register(Tags.security)
def check_secret_key(app_configs, **kwargs) -> list[Error]:
    if settings.DEBUG or not is_weak_secret_key(settings.SECRET_KEY):
        return []
    return [
        Error(
            "The secret key is missing, too short or a well-known default.",
            hint="Set ZHANYI_SECRET_KEY to a random string of at least 32 characters, "
            "10 of them different, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
            id="zhanyi.E001",
        )
    ]


@register(Tags.security)
def check_no_demo_accounts(app_configs, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []
    from .models import DemoAccount

    try:
        names = list(
            DemoAccount.objects.filter(user__is_active=True).values_list(
                "user__username", flat=True
            )[:10]
        )
    except DatabaseError:  # not migrated yet: nothing to find
        return []
    if not names:
        return []
    return [
        Error(
            f"Demo accounts exist in this database ({', '.join(names)}); their passwords were "
            "printed when the demo was built.",
            hint="Run production on its own database, or deactivate them: "
            "zhanyi user deactivate NAME.",
            id="zhanyi.E002",
        )
    ]


@register(Tags.security)
def check_real_clock(app_configs, **kwargs) -> list[Error]:
    """The demo's story clock (``ZHANYI_CLOCK``, zhanyi.core.clock) moves every
    time the installation records: never outside debug mode."""
    from zhanyi.core import clock

    if settings.DEBUG or not (clock.is_story_time() or os.environ.get(clock.ENV)):
        return []
    return [
        Error(
            f"{clock.ENV} is set: this installation would record every time on the demo's "
            "story clock.",
            hint=f"Unset {clock.ENV}; it is for `zhanyi demo` only.",
            id="zhanyi.E003",
        )
    ]


@register(Tags.security)
def check_two_factor(app_configs, **kwargs) -> list[Error]:
    """Two-factor authentication may be off for the demo (debug mode) and tests only."""
    if settings.DEBUG or getattr(settings, "TESTING", False) or settings.TWO_FACTOR_REQUIRED:
        return []
    return [
        Error(
            "ZHANYI_TWO_FACTOR is off: the roles that see identity numbers or approve would "
            "log in with a password alone.",
            hint="Unset ZHANYI_TWO_FACTOR (it is on by default outside debug mode).",
            id="zhanyi.E004",
        )
    ]
