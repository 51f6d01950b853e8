"""The protocol file's rules as the checkpoints app reads them, and local days."""

from __future__ import annotations

import datetime as dt

from zhanyi.engine.protocol import DEFAULT_PROTOCOL, LOCAL_TZ, Protocol, load_protocol

_PROTOCOLS: dict[str, Protocol] = {}


def protocol(name: str = DEFAULT_PROTOCOL) -> Protocol:
    """The protocol file's rules (read once per process)."""
    if name not in _PROTOCOLS:
        _PROTOCOLS[name] = load_protocol(name)
    return _PROTOCOLS[name]


def local_day(moment: dt.datetime) -> dt.date:
    """The day of ``moment`` in local time (Asia/Shanghai)."""
    return moment.astimezone(LOCAL_TZ).date()
