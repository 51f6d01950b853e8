"""Login throttling (登录限制): too many failures lock a user name or an address.

After ``LOGIN_FAILURE_LIMIT`` failed attempts for one user name, or from one
client address, within ``LOGIN_FAILURE_WINDOW_S`` seconds of the first, every
further attempt is refused, even with the right password, until the window
has passed. A successful log-in clears the user name's count (not the
address's: one office behind one address may have many users, but an
attacker who knows one password must not earn fresh guesses at others).

Counts live in the cache (Redis in production), shared by every app server.
The window is computed from the stored start time, not from cache expiry, so
every cache backend behaves the same and tests can move the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

_PREFIX = "zhanyi:login-failures"


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class Lockout:
    """Attempts are refused until ``until``."""

    until_ts: float
    scope: str  # "username" or "ip"

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.until_ts, tz=dt.UTC)

    @property
    def retry_after_s(self) -> int:
        # Round the float noise away before rounding up to whole seconds.
        return max(1, math.ceil(round(self.until_ts - _now(), 3)))


def _keys(scope: str, value: str) -> tuple[str, str]:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"{_PREFIX}:{scope}:{digest}:start", f"{_PREFIX}:{scope}:{digest}:count"


def _normalise(username: str) -> str:
    return username.strip().casefold()


def _subjects(username: str | None, ip: str | None) -> list[tuple[str, str]]:
    subjects = []
    if username:
        subjects.append(("username", _normalise(username)))
    if ip:
        subjects.append(("ip", ip))
    return subjects


def _window() -> int:
    return int(settings.LOGIN_FAILURE_WINDOW_S)


def _limit() -> int:
    return int(settings.LOGIN_FAILURE_LIMIT)


def lockout(username: str | None, ip: str | None) -> Lockout | None:
    """The lockout in force for this user name or address, if any."""
    now = _now()
    found: Lockout | None = None
    for scope, value in _subjects(username, ip):
        start_key, count_key = _keys(scope, value)
        values = cache.get_many([start_key, count_key])
        start, count = values.get(start_key), values.get(count_key, 0)
        if start is None or now >= start + _window() or count < _limit():
            continue
        until = start + _window()
        if found is None or until > found.until_ts:
            found = Lockout(until_ts=until, scope=scope)
    return found


def note_failure(username: str | None, ip: str | None) -> None:
    now = _now()
    for scope, value in _subjects(username, ip):
        start_key, count_key = _keys(scope, value)
        start = cache.get(start_key)
        if start is None or now >= start + _window():
            start = now
            cache.set_many({start_key: start, count_key: 0}, timeout=_window())
        remaining = max(1, int(start + _window() - now) + 1)
        try:
            cache.incr(count_key)
        except ValueError:  # evicted between the two calls
            cache.set(count_key, 1, timeout=remaining)
        # Some backends' incr() resets the expiry to the default; keep the window's.
        cache.touch(count_key, timeout=remaining)


def note_success(username: str) -> None:
    cache.delete_many(list(_keys("username", _normalise(username))))
