"""A short-lived cache of computed figures, shared by every reader and every server process.

Every dashboard (the headquarters' big screen, each task force's desk) polls
its figures every 30 s; without this each load computed every figure again
(1.5 s warm and 10 s cold at a city's scale). ``metrics.shown`` reads through
this cache; ``metrics.compute`` never does, so the twice-daily report and
anything that records figures always computes them fresh.

**Where.** Django's ``default`` cache: Redis when ``REDIS_URL`` is set, else
the database table ``zhanyi_cache`` (``migrate`` creates it). Both are shared
by all server processes; the same cache already holds the login throttle, so
a site cannot run without it.

**Keys.** One entry per figure and area: ``zhanyi:figure:v1:<name>:<area
path>`` (``*``: everything, for a superuser without a jurisdiction). Areas
never share a key and the caller chooses the area by the reader's
jurisdiction, so a cached value reaches only readers of that same area. An
entry is ``(value, started)``: ``started`` is when its computation began, as
seconds since the epoch, which the dashboards show as "as of"; everything
committed before then is counted.

**Lifetime.** ``settings.FIGURE_CACHE_SECONDS`` (default 30; 0 turns the cache
off and every reader computes). An entry stays in the cache ``LOCK_SECONDS``
longer than that, so that the last value can stand in while it is computed
again.

**No stampede.** Computing a figure for an area takes a lock first: an entry
added with ``cache.add``, which only one caller can win (Redis: ``SET NX``;
the database cache: an ``INSERT`` on the table's primary key). A reader that
needs a value and cannot take the lock never computes it alongside the
holder: it shows the last value if there is one (stale by at most one
computation), and on a cold cache, with none, polls until the holder's value
is there. Readers arriving together on a cold dashboard each compute the
figures nobody else has taken and wait for the rest, so each figure is
computed once and the work is spread among them. A holder that dies leaves a
lock that expires after ``LOCK_SECONDS``; a waiter then takes it.

**Shared work.** Several figures often count parts of one intermediate
result (the supervision ledger's overdue items, by task force). While the
figures of one area are computed together (``values`` here, ``metrics.compute``),
``shared(key, fn)`` computes ``fn()`` once and hands the same result to every
figure of that pass that asks for ``key``; outside a pass it just calls ``fn``.
A pass lasts one call, so a shared result is never older than the pass.

**Forced refresh** (``fresh=True``): only a value whose computation started
after the reader asked will do. A computation already running is waited for
and then done once more by whoever takes the lock next: ten readers pressing
refresh together cost at most two computations of each figure, one at a time.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)

KEY_PREFIX = "zhanyi:figure:v1"
#: The longest a computation holds its figure's lock: a holder that died frees
#: it after this. Longer than a city's cold computation of one figure.
LOCK_SECONDS = 120
#: The first and the longest pause between two looks at the cache while waiting.
FIRST_POLL_S = 0.05
LONGEST_POLL_S = 0.5
#: Areas' paths are short; a deep one would pass the key lengths of some backends.
LONGEST_KEY_PART = 160

#: ``(value, started)``: the figure's value and when its computation began.
Entry = tuple[Any, float]


class FigureLike(Protocol):
    """A figure (``metrics.Figure``) or anything computed per area as one is
    (the screening desk's breakdowns, lists of rows): a name and ``fn(area)``."""

    name: str
    fn: Callable[[Any], Any]


def lifetime() -> int:
    return settings.FIGURE_CACHE_SECONDS


def key(name: str, area) -> str:
    where = "*" if area is None else area.path
    if len(where) > LONGEST_KEY_PART:
        where = "sha256:" + hashlib.sha256(where.encode()).hexdigest()
    return f"{KEY_PREFIX}:{name}:{where}"


def _lock_key(entry_key: str) -> str:
    return entry_key + ":lock"


T = TypeVar("T")

_PASS: contextvars.ContextVar[dict[Any, Any] | None] = contextvars.ContextVar(
    "zhanyi_figure_pass", default=None
)


@contextlib.contextmanager
def computing_together() -> Iterator[None]:
    """A pass of figures computed together: within it, ``shared`` results are
    computed once. A pass inside another joins the outer one."""
    if _PASS.get() is not None:
        yield
        return
    token = _PASS.set({})
    try:
        yield
    finally:
        _PASS.reset(token)


def shared(key: Any, fn: Callable[[], T]) -> T:
    """``fn()``, computed once per pass of figures for ``key`` (every call
    outside a pass)."""
    memo = _PASS.get()
    if memo is None:
        return fn()
    if key not in memo:
        memo[key] = fn()
    return memo[key]


def compute_entry(figure: FigureLike, area) -> Entry:
    started = time.time()
    return figure.fn(area), started


def _usable(entry: Entry | None, now: float, ttl: int, fresh_since: float | None) -> bool:
    if entry is None:
        return False
    if fresh_since is not None:
        return entry[1] >= fresh_since
    return now - entry[1] < ttl


def values(figures: Iterable[FigureLike], area, *, fresh: bool = False) -> dict[str, Entry]:
    """``{name: (value, started)}`` of ``figures`` for ``area``, through the cache."""
    with computing_together():
        return _values(list(figures), area, fresh=fresh)


def _values(figures: list[FigureLike], area, *, fresh: bool) -> dict[str, Entry]:
    ttl = lifetime()
    if ttl <= 0:
        return {f.name: compute_entry(f, area) for f in figures}
    cache = caches["default"]
    asked = time.time()
    fresh_since = asked if fresh else None
    keys = {f.name: key(f.name, area) for f in figures}
    pending = {f.name: f for f in figures}
    found: dict[str, Entry] = {}
    pause = FIRST_POLL_S
    while pending:
        entries = cache.get_many([keys[name] for name in pending])
        for name, figure in list(pending.items()):
            entry = entries.get(keys[name])
            if not _usable(entry, time.time(), ttl, fresh_since):
                computed = _compute_if_free(cache, figure, area, keys[name], ttl, fresh_since)
                if computed is not None:
                    entry = computed
                elif entry is None or fresh:
                    continue  # somebody is computing it and we have nothing to show: wait
                # else somebody is computing it: the last value stands in meanwhile.
            found[name] = entry
            del pending[name]
        if pending:
            time.sleep(pause)
            pause = min(pause * 2, LONGEST_POLL_S)
    return found


def _compute_if_free(
    cache, figure: FigureLike, area, entry_key: str, ttl: int, fresh_since: float | None
) -> Entry | None:
    """Compute and store the figure if nobody else is computing it (None if somebody is)."""
    lock = _lock_key(entry_key)
    token = uuid.uuid4().hex
    if not cache.add(lock, token, LOCK_SECONDS):
        return None
    try:
        # The holder we waited for may have stored it between our look and our lock.
        entry = cache.get(entry_key)
        if _usable(entry, time.time(), ttl, fresh_since):
            return entry
        entry = compute_entry(figure, area)
        cache.set(entry_key, entry, ttl + LOCK_SECONDS)
        logger.debug("figure %s computed in %.3f s", entry_key, time.time() - entry[1])
        return entry
    finally:
        # Not another's: ours may have expired during a very long computation.
        if cache.get(lock) == token:
            cache.delete(lock)


def forget(names: Iterable[str], area) -> None:
    """Drop the cached values of ``names`` for ``area`` (the next reader computes them)."""
    caches["default"].delete_many([key(name, area) for name in names])
