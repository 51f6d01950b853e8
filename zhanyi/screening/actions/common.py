"""Helpers shared by the screening actions."""

from __future__ import annotations

import datetime as dt

from zhanyi.core.actors import actor_name, actor_user
from zhanyi.engine.protocol import load_protocol

__all__ = ["actor_name", "actor_user", "find_within"]


def find_within() -> dt.timedelta:
    """How long a team has to find a pushed person (the protocol's ``[screening]``)."""
    return dt.timedelta(hours=load_protocol().screening.find_within_hours)
