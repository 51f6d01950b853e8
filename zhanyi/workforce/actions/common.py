"""What the workforce actions share: the capability and jurisdiction check."""

from __future__ import annotations

from typing import Any

from zhanyi.accounts.roles import require_capability
from zhanyi.core.audit import SystemActor
from zhanyi.core.jurisdiction import require_area
from zhanyi.places.models import Area


def require(acting_user: Any, capability: str, area: Area | None) -> None:
    """The actor needs ``capability`` and ``area`` inside their jurisdiction. A
    ``SystemActor`` (the command line, the demo) is the installation's operator."""
    if isinstance(acting_user, SystemActor):
        return
    require_capability(acting_user, capability)
    require_area(acting_user, area)
