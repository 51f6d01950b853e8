"""What the checkpoints actions share: the access check and length refusals."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from zhanyi.accounts.roles import require_capability
from zhanyi.core.audit import SystemActor
from zhanyi.core.jurisdiction import require_area
from zhanyi.core.lengths import too_long
from zhanyi.places.models import Area


def require(acting_user: Any, capability: str, area: Area | None) -> None:
    """The actor needs ``capability`` and ``area`` inside their jurisdiction. A
    ``SystemActor`` (the command line, the demo, the clock) passes."""
    if isinstance(acting_user, SystemActor):
        return
    require_capability(acting_user, capability)
    require_area(acting_user, area)


def check_lengths(model: Any, **values: str) -> None:
    """Refuse, by field, any text longer than its column (nothing cut)."""
    problems = {}
    for name, value in values.items():
        message = too_long(model, name, value)
        if message:
            problems[name] = message
    if problems:
        raise ValidationError(problems)
