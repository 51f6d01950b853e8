"""Counting events under a key in a fixed window, atomically, in the database.

Log-in throttling and the read rate limit (issue 14, findings 12 and 18) need a
count that two requests at the same moment cannot both read as "one left": each
``take`` is one UPDATE that adds one only while the count is under the limit,
so the database decides, whatever process or server asks. A window opens at
the first event and ends ``window_s`` later; the next event after it opens a
new one.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import RateCounter


def key_for(scope: str, value: str) -> str:
    """A fixed-length key: the value (a user name, an address) is not stored."""
    return f"{scope}:{hashlib.sha256(value.encode()).hexdigest()[:40]}"


def take(key: str, *, limit: int, window_s: float, now: float) -> float | None:
    """Count one event; ``None`` if it was within ``limit``, else (nothing counted)
    the moment, in seconds since the epoch, the window ends."""
    for _attempt in range(5):
        counted = RateCounter.objects.filter(key=key, expires__gt=now, count__lt=limit).update(
            count=F("count") + 1
        )
        if counted:
            return None
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, expires=now + window_s, count=1)
            return None
        except IntegrityError:
            pass  # the key has a row: its window ended, or it is at the limit
        reopened = RateCounter.objects.filter(key=key, expires__lte=now).update(
            expires=now + window_s, count=1
        )
        if reopened:
            return None
        row = RateCounter.objects.filter(key=key).values_list("expires", "count").first()
        if row is not None and row[0] > now and row[1] >= limit:
            return row[0]  # at the limit
        # Counted down, reopened or forgotten in between: count again.
    raise RuntimeError(f"could not count under {key!r}")  # pragma: no cover


def forget_expired(now: float) -> int:
    """Remove the rows of windows that have ended (they count as nothing)."""
    return RateCounter.objects.filter(expires__lte=now).delete()[0]


def give_back(key: str) -> None:
    """Uncount one event (one that turned out not to count, e.g. a log-in that succeeded)."""
    RateCounter.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)


def clear(key: str) -> None:
    RateCounter.objects.filter(key=key).delete()
