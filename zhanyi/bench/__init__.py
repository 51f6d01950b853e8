"""Benchmarks run by ``zhanyi bench NAME``.

Each module here defines ``add_arguments(parser)`` and ``run(options, out)``;
``run`` prints its progress and figures to ``out`` and returns one dict, which
the command prints as the last line, as JSON. Benchmarks measure; tests assert
behaviour and never time anything.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def available() -> dict[str, ModuleType]:
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "run") and hasattr(module, "add_arguments"):
            found[info.name] = module
    return found
