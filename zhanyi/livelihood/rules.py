"""The protocol file's rules as the livelihood app reads them."""

from __future__ import annotations

from zhanyi.engine.protocol import DEFAULT_PROTOCOL, LivelihoodRule, Protocol, load_protocol

_PROTOCOLS: dict[str, Protocol] = {}


def rules(name: str = DEFAULT_PROTOCOL) -> LivelihoodRule:
    """The ``[livelihood]`` section of the protocol file (read once per process)."""
    if name not in _PROTOCOLS:
        _PROTOCOLS[name] = load_protocol(name)
    return _PROTOCOLS[name].livelihood


def county_path(path: str) -> str:
    """The county's path above an area path (``/city/county/…`` → ``/city/county/``)."""
    parts = [p for p in path.split("/") if p]
    return "/" + "/".join(parts[:2]) + "/"
