"""One source for every figure (数出一门).

Each app declares its figures in its own ``metrics.py`` with ``@figure``; the
dashboard, the twice-daily report and the API all read them through
``compute``, so a number shown to a leader is defined exactly once. A figure is
a function of the area it is computed for (an ``Area`` or None for everything
the caller may see) and returns a number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

from zhanyi.places.models import Area


@dataclass(frozen=True)
class Figure:
    name: str
    label: str | Promise
    unit: str | Promise
    fn: Callable[[Area | None], int | float]
    order: int


_REGISTRY: dict[str, Figure] = {}


def figure(name: str, label: str | Promise, unit: str | Promise = "", order: int = 100):
    """Register ``fn(area) -> number`` as the one definition of a figure."""

    def decorate(fn: Callable[[Area | None], int | float]):
        if name in _REGISTRY and _REGISTRY[name].fn is not fn:
            raise ValueError(f"figure {name!r} is defined twice")
        _REGISTRY[name] = Figure(name, label, unit, fn, order)
        return fn

    return decorate


def discover() -> None:
    autodiscover_modules("metrics")


def registered() -> list[Figure]:
    return sorted(_REGISTRY.values(), key=lambda f: (f.order, f.name))


def get(name: str) -> Figure:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no figure named {name!r}") from None


def compute(names: Iterable[str] | None = None, area: Area | None = None) -> list[dict]:
    """Values of the named figures (all when None) for one area."""
    figures = registered() if names is None else [get(n) for n in names]
    return [
        {"name": f.name, "label": str(f.label), "unit": str(f.unit), "value": f.fn(area)}
        for f in figures
    ]


def area_filter(area: Area | None, path_field: str) -> dict:
    """Keyword filter restricting rows to ``area`` through ``path_field``."""
    if area is None:
        return {}
    return {f"{path_field}__startswith": area.path}
