"""What the supplies actions share: who may act, and where."""

from __future__ import annotations

from typing import Any

from zhanyi.accounts.roles import require_capability
from zhanyi.core.audit import SystemActor
from zhanyi.core.jurisdiction import require_area
from zhanyi.places.models import Area


def require(
    acting_user: Any, capability: str, area: Area | None = None, *, check_area=True
) -> None:
    """The actor needs ``capability`` and, when ``check_area``, ``area`` inside
    their jurisdiction. A ``SystemActor`` (the command line, the demo, the
    clock) is the operator of the installation and passes."""
    if isinstance(acting_user, SystemActor):
        return
    require_capability(acting_user, capability)
    if check_area:
        require_area(acting_user, area)
