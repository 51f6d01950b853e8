"""Counts per village that apps above places add to the area tree's pages (the
person index's persons): a registry places declares and those apps fill, so
that places never imports them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

#: ``fn(path)``: (village path, count) pairs for the villages below ``path``.
VillageCounts = Callable[[str], Iterable[tuple[str, int]]]

_COUNTERS: dict[str, VillageCounts] = {}


def per_village(name: str) -> Callable[[VillageCounts], VillageCounts]:
    """Register ``fn`` as the count ``name`` of every area page's children."""

    def register(fn: VillageCounts) -> VillageCounts:
        if name in _COUNTERS and _COUNTERS[name] is not fn:
            raise ValueError(f"village count {name!r} is registered twice")
        _COUNTERS[name] = fn
        return fn

    return register


def registered() -> dict[str, VillageCounts]:
    return dict(_COUNTERS)
