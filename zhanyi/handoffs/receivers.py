"""Work passed on at once to the task force that takes it (逢阳即报).

Most work crosses task forces as ``Handoff`` rows that the receiver lists and
closes. A positive single-tube result cannot wait in a list: it becomes a case
in the transaction that records the result. The app that takes such work
registers its function for the hand-off kind, and the producer passes the work
on by kind, so that neither task-force app imports the other (docs/layout.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_RECEIVERS: dict[str, Callable[..., Any]] = {}


def receives(kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn(**work)`` as the one taker of ``kind`` work (a ``HandoffKind``)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if kind in _RECEIVERS and _RECEIVERS[kind] is not fn:
            raise ValueError(f"{kind} work already has a receiver")
        _RECEIVERS[kind] = fn
        return fn

    return register


def pass_on(kind: str, **work: Any) -> Any:
    """Give ``work`` to the receiver of ``kind`` now, in the caller's
    transaction; what it returns. No installed app taking it is an error:
    such work is never dropped."""
    try:
        receiver = _RECEIVERS[kind]
    except KeyError:
        raise LookupError(f"no installed app takes {kind} work") from None
    return receiver(**work)
