"""``/healthz``: whether this app server can do its work, for a load balancer.

Answers 200 when the database and the cache both answer, 503 when either does
not, with a small JSON body naming each check. No log-in, no personal data,
nothing written to the audit trail or the database: a load balancer asks every
few seconds.
"""

from __future__ import annotations

import secrets
import time

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "not healthy", said in one word
        return f"error: {type(error).__name__}"
    return "ok"


def _cache() -> str:
    key = f"zhanyi:healthz:{secrets.token_hex(4)}"
    try:
        cache.set(key, "1", timeout=5)
        found = cache.get(key)
        cache.delete(key)
    except Exception as error:  # Redis down, the cache table missing
        return f"error: {type(error).__name__}"
    return "ok" if found == "1" else "error: not stored"


def checks() -> dict[str, str]:
    """Each check's answer: ``ok`` or ``error: <kind>``."""
    return {"database": _database(), "cache": _cache()}


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    started = time.perf_counter()
    result = checks()
    healthy = all(v == "ok" for v in result.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "checks": result,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        },
        status=200 if healthy else 503,
    )
