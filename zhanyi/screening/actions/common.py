"""Helpers shared by the screening actions."""

from __future__ import annotations

import datetime as dt

from zhanyi.accounts.audit import SystemActor
from zhanyi.engine.protocol import load_protocol


def actor_user(acting_user):
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


def actor_name(acting_user) -> str:
    if isinstance(acting_user, SystemActor):
        return acting_user.name[:150]
    getter = getattr(acting_user, "get_username", None)
    return getter()[:150] if getter else ""


def find_within() -> dt.timedelta:
    """How long a team has to find a pushed person (the protocol's ``[screening]``)."""
    return dt.timedelta(hours=load_protocol().screening.find_within_hours)
