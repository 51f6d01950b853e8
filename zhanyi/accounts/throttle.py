"""Login throttling (登录限制): too many attempts from one address are refused.

Two counts, each in a window that opens at its first attempt and lasts
``LOGIN_FAILURE_WINDOW_S`` seconds (issue 14, finding 12):

- per user name **and** client address: ``LOGIN_FAILURE_LIMIT`` failures (5);
- per client address, whatever the user names: ``LOGIN_ADDRESS_FAILURE_LIMIT`` (30).

There is no count per user name alone: failures from anyone locked any account,
the commander's included. Now an attacker locks out only themselves, and a
guesser gets ``LOGIN_FAILURE_LIMIT`` tries per address they hold.

An attempt is counted *before* the password is checked, by one atomic UPDATE in
the database (``zhanyi.core.ratelimit``), so attempts at the same moment cannot
all be judged: at most the limit are. A successful log-in gives its own count
back and clears the user name's count from that address; the failures of that
address at other user names stay (an attacker who knows one password must not
earn fresh guesses at others).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass

from django.conf import settings

from zhanyi.core import ratelimit


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class Lockout:
    """Attempts are refused until ``until``."""

    until_ts: float
    scope: str  # "account" (this user name from this address) or "address"

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.until_ts, tz=dt.UTC)

    @property
    def retry_after_s(self) -> int:
        # Round the float noise away before rounding up to whole seconds.
        return max(1, math.ceil(round(self.until_ts - _now(), 3)))


def _normalise(username: str) -> str:
    return username.strip().casefold()


def _account_key(username: str, ip: str | None) -> str:
    return ratelimit.key_for("login-account", f"{_normalise(username)}\n{ip or ''}")


def _address_key(ip: str) -> str:
    return ratelimit.key_for("login-address", ip)


def attempt(username: str, ip: str | None) -> Lockout | None:
    """Count one log-in attempt; the lockout in force instead, if any (nothing counted)."""
    now = _now()
    window = int(settings.LOGIN_FAILURE_WINDOW_S)
    account = _account_key(username, ip)
    until = ratelimit.take(
        account, limit=int(settings.LOGIN_FAILURE_LIMIT), window_s=window, now=now
    )
    if until is not None:
        return Lockout(until_ts=until, scope="account")
    if ip:
        until = ratelimit.take(
            _address_key(ip),
            limit=int(settings.LOGIN_ADDRESS_FAILURE_LIMIT),
            window_s=window,
            now=now,
        )
        if until is not None:
            ratelimit.give_back(account)
            return Lockout(until_ts=until, scope="address")
    return None


def succeeded(username: str, ip: str | None) -> None:
    """The attempt was right: it does not count, nor do this address's earlier
    failures at this user name."""
    ratelimit.clear(_account_key(username, ip))
    if ip:
        ratelimit.give_back(_address_key(ip))
    # Counts of ended windows (log-ins, reads) are forgotten now and then: here.
    ratelimit.forget_expired(_now())
