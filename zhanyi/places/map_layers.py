"""The layers of the command map (地图图层), for every page that draws one.

The zones page and the big screen draw the zones by tier over the area
boundaries, with the cases, the quarantine sites, the checkpoints and the
testing sites. Each task force owns its data, so this module, in the places
layer below every task force, declares the question and each app answers for
its own layer in its ``map_layers.py``::

    from zhanyi.places.map_layers import layer

    @layer("quarantine_sites", _("Quarantine sites"), order=30)
    def sites(area: Area | None, now: datetime, named: bool) -> list[dict]: ...

A layer function returns GeoJSON features (lon/lat degrees) of the area (None:
the whole tree). ``named`` is False for a reader who may not see persons, or
a wall screen: a layer that shows persons (``persons=True``) then gives each
one a dot and nothing that names them. The API (``/api/v1/command/map/…``)
checks access, audits a named read and caches the masked ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

LayerFn = Callable[[Any, dt.datetime, bool], list[dict]]


@dataclass(frozen=True)
class Layer:
    """One layer of the map: its features come from ``fn(area, now, named)``."""

    name: str
    label: Any  # a lazy translation
    fn: LayerFn
    persons: bool
    order: int


_LAYERS: dict[str, Layer] = {}
_discovered = False


def layer(name: str, label: Any, *, persons: bool = False, order: int = 0):
    """Register the function drawing the layer ``name`` (one per name)."""

    def register(fn: LayerFn) -> LayerFn:
        held = _LAYERS.get(name)
        if held is not None and held.fn is not fn:
            raise ValueError(f"the map layer {name} is drawn twice")
        _LAYERS[name] = Layer(name, label, fn, persons, order)
        return fn

    return register


def registered() -> list[Layer]:
    """Every layer, in drawing order (the zones first, the points over them)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("map_layers")
        _discovered = True
    return sorted(_LAYERS.values(), key=lambda lay: (lay.order, lay.name))


def get(name: str) -> Layer | None:
    return {lay.name: lay for lay in registered()}.get(name)


def point(lon: float, lat: float, **properties: Any) -> dict:
    """A GeoJSON point feature."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": properties,
    }


def collection(name: str, features: list[dict], **properties: Any) -> dict:
    """The FeatureCollection the API serves for one layer."""
    return {"type": "FeatureCollection", "layer": name, "features": features, **properties}


def url_name(name: str) -> str:
    """The URL name of a layer's endpoint (``command/api/map.py``)."""
    return "api-map-" + name.replace("_", "-")


def for_page(*, masked: bool) -> list[dict]:
    """What a page's map script (``command-map.js``) needs of each layer that
    has an endpoint: its name, label and URL (``?masked=1`` for a wall screen)."""
    suffix = "?masked=1" if masked else ""
    out = []
    for lay in registered():
        try:
            url = reverse(url_name(lay.name))
        except NoReverseMatch:
            continue
        out.append({"name": lay.name, "label": str(lay.label), "url": url + suffix})
    return out


def words() -> dict[str, str]:
    """The map's tooltips, in the reader's language (filled in by the script)."""
    return {
        "reported": _("reported %(reported)s"),
        "occupancy": _("%(occupied)s of %(rooms)s rooms occupied"),
        "flow": _(
            "%(day)s: %(vehicles)s vehicles and %(people)s people checked, "
            "%(vehicles_turned_back)s vehicles turned back"
        ),
        "samples": _("today: %(samples_today)s samples, %(tubes_waiting)s tubes waiting"),
    }
