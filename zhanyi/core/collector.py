"""Bulk Python work without the cyclic garbage collector's passes.

A contact graph's codes are decided for hundreds of thousands of persons at
once: a few million small objects (facts, decisions, COPY lines), none of them
in a reference cycle, freed by reference counting as soon as a batch is done.
The cyclic collector still runs every few hundred allocations, and its full
passes walk every live object, batch after batch: measured at 2-4 s of the
tracing benchmark's 330,000-person recompute.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (reference counting
    goes on); it resumes afterwards, also on an error, unless it was paused
    already. Cycles made meanwhile are collected after it resumes."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
