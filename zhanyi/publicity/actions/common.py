"""What publicity's actions share: who may act, and where."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import require_capability
from zhanyi.core.audit import SystemActor
from zhanyi.core.jurisdiction import require_area
from zhanyi.core.lengths import too_long
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area


def require(acting_user: Any, capability: str, area: Area | None) -> None:
    """The actor holds ``capability`` and ``area`` lies within their
    jurisdiction; a ``SystemActor`` (the command line, the demo) passes."""
    if isinstance(acting_user, SystemActor):
        return
    require_capability(acting_user, capability)
    require_area(acting_user, area)


def local(value: dt.datetime) -> str:
    return f"{value.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"


def clean_text(model, fields: dict[str, str], *, required: tuple[str, ...] = ()) -> dict[str, str]:
    """The fields' text trimmed; refused by field when empty (``required``)
    or longer than the column, the message saying which and how long."""
    cleaned = {name: (value or "").strip() for name, value in fields.items()}
    errors: dict[str, list[str]] = {}
    for name, value in cleaned.items():
        if name in required and not value:
            label = model._meta.get_field(name).verbose_name
            errors[name] = [_("%(field)s is empty.") % {"field": str(label).capitalize()}]
        elif message := too_long(model, name, value):
            errors[name] = message
    if errors:
        raise ValidationError(errors)
    return cleaned
