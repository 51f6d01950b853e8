"""Which rules decide a code: the protocol in force, loaded once per process,
and the quarantine days of the protocols contacts were traced under."""

from __future__ import annotations

from collections.abc import Iterable

from zhanyi.engine.codes import CodeRules
from zhanyi.engine.protocol import DEFAULT_PROTOCOL, Protocol, load_protocol

_PROTOCOLS: dict[str, Protocol] = {}


def protocol(name: str = DEFAULT_PROTOCOL) -> Protocol:
    """The protocol ``name``, read from its file once per process."""
    if name not in _PROTOCOLS:
        _PROTOCOLS[name] = load_protocol(name)
    return _PROTOCOLS[name]


def code_rules(contact_protocols: Iterable[str] = ()) -> CodeRules:
    """The rules in force (the default protocol), with the quarantine days of
    every protocol a contact was traced under."""
    others = []
    for name in sorted({n for n in contact_protocols if n and n != DEFAULT_PROTOCOL}):
        try:
            others.append(protocol(name))
        except FileNotFoundError:
            continue  # an unknown name falls back to the protocol in force
    return CodeRules.from_protocol(protocol(), others)
