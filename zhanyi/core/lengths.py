"""Text longer than its column is refused, never cut without a word (issue 14, finding 16)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _


def too_long(model: type[models.Model], field: str, value: str, *, after: str = "") -> list[str]:
    """The field errors refusing ``value`` for ``model``'s ``field`` when the
    column cannot hold it whole (stored after ``after``); none when it fits."""
    column = model._meta.get_field(field).max_length
    if column is None:
        return []
    limit = column - len(after)
    if len(value) <= limit:
        return []
    return [
        _("This has %(count)d characters; at most %(max)d are allowed.")
        % {"count": len(value), "max": limit}
    ]
