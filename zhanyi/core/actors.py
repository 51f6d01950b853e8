"""Who is acting (操作人): a signed-in user or a ``SystemActor`` (the command
line, the demo, a scheduled job). Actions store the name on the rows they
close or sign, and the user (or nothing) in foreign keys."""

from __future__ import annotations

from typing import Any

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
