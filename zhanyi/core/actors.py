"""Who is acting (操作人): a signed-in user or a ``SystemActor`` (the command
line, the demo, a scheduled job). Actions store the name on the rows they
close or sign, and the user (or nothing) in foreign keys."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zhanyi.core.audit import SystemActor


def actor_name(acting_user: Any) -> str:
    """The name to store for the actor: a ``SystemActor``'s name, a user's
    username, at most 150 characters; "" for anything else."""
    if isinstance(acting_user, SystemActor):
        return acting_user.name[:150]
    getter = getattr(acting_user, "get_username", None)
    return getter()[:150] if getter else ""


def actor_user(acting_user: Any):
    """The signed-in user for a foreign key, or None (a ``SystemActor``, anonymous)."""
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


def actor_label(name: str) -> str:
    """A stored actor name as a reader should see it: a user's name as it is,
    a ``SystemActor``'s in words (the scheduler took the 20:00 report, not
    "scheduler"). User names never hold a colon, so ``cli:…`` and the like
    are always system actors."""
    kind, _sep, detail = (name or "").partition(":")
    if kind == "scheduler" and not detail:
        return _("the scheduler")
    if kind == "demo":
        return _("the demo's data")
    if kind == "cli" and detail:
        return _("the command line (%(user)s)") % {"user": detail}
    if kind == "task" and detail:
        return _("a background job")
    if kind == "system" and detail:
        return _("the system")
    if kind == "bench" and detail:
        return _("a benchmark")
    return name
