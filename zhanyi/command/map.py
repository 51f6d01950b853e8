"""The command map's layers (``zhanyi.places.map_layers``), as the API and the
big screen serve them.

A masked layer (no person named: a wall screen, or a reader who may not see
persons) is the same for every reader of an area, so it is read through the
figure cache (``zhanyi.core.figure_cache``): 50 screens polling the map cost
one computation of each layer per area and lifetime. A layer naming persons
is computed for its reader and audited by the API; so is a layer asked for
at another moment (``at``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from zhanyi.core import figure_cache
from zhanyi.places.map_layers import Layer, collection


@dataclass(frozen=True)
class _Masked:
    """A layer without names, computed per area through the figure cache."""

    name: str
    fn: Callable[[Any], Any]


def _masked(layer: Layer) -> _Masked:
    return _Masked(f"command.map.{layer.name}", lambda area: layer.fn(area, timezone.now(), False))


def layer_collection(
    layer: Layer, area, *, named: bool, at: dt.datetime | None = None, fresh: bool = False
) -> dict:
    """The layer's FeatureCollection for ``area``, with ``as_of``: when it was computed."""
    if named or at is not None:
        now = at or timezone.now()
        return collection(layer.name, layer.fn(area, now, named), as_of=now.isoformat())
    cached = _masked(layer)
    features, started = figure_cache.values([cached], area, fresh=fresh)[cached.name]
    as_of = dt.datetime.fromtimestamp(started, tz=dt.UTC).isoformat()
    return collection(layer.name, features, as_of=as_of)
