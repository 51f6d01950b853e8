"""The protocol file's rules as the quarantine app reads them, and ages."""

from __future__ import annotations

import datetime as dt

from zhanyi.engine.protocol import DEFAULT_PROTOCOL, Protocol, load_protocol

_PROTOCOLS: dict[str, Protocol] = {}


def protocol(name: str = DEFAULT_PROTOCOL) -> Protocol:
    """The protocol file's rules (read once per process)."""
    if name not in _PROTOCOLS:
        _PROTOCOLS[name] = load_protocol(name)
    return _PROTOCOLS[name]


def age_on(birth_date: dt.date | None, day: dt.date) -> int | None:
    """Whole years on ``day``; None when the birth date is unknown."""
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
