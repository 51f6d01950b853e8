"""What the teams' actions share: the access check and the audit record."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from zhanyi.accounts.roles import has_capability
from zhanyi.core import audit, jurisdiction
from zhanyi.core.audit import SystemActor
from zhanyi.places.models import Area


def require(acting_user: Any, capability: str, area: Area | None) -> None:
    """The actor needs ``capability`` and ``area`` inside their jurisdiction; a
    ``SystemActor`` (the command line, the demo, the clock) passes."""
    if isinstance(acting_user, SystemActor):
        return
    if not has_capability(acting_user, capability):
        raise PermissionDenied(f"requires {capability}")
    if not jurisdiction.can_see_area(acting_user, area):
        raise PermissionDenied("outside your jurisdiction")


def record(action: str, *, acting_user, obj, area: Area, detail: dict, request=None) -> None:
    audit.record(
        actor=acting_user,
        action=action,
        obj=obj,
        area=area,
        detail=detail,
        request=request,
    )
