"""What the clinics actions share: who may act and where, the protocol, times."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from zhanyi.accounts.roles import require_capability
from zhanyi.core.audit import SystemActor
from zhanyi.core.jurisdiction import require_area
from zhanyi.engine.protocol import DEFAULT_PROTOCOL, Protocol, load_protocol
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


_PROTOCOLS: dict[str, Protocol] = {}


def protocol(name: str = DEFAULT_PROTOCOL) -> Protocol:
    """The protocol file's rules (read once per process)."""
    if name not in _PROTOCOLS:
        _PROTOCOLS[name] = load_protocol(name)
    return _PROTOCOLS[name]


def local(value: dt.datetime) -> str:
    """A time as the messages show it: local, to the minute."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def single_line(value: str) -> str:
    return " ".join((value or "").split())
