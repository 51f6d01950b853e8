"""Reads of personal data: a rate limit per user, and a trace of every refusal
(issue 14, finding 18: 2,420 id probes in 27 s went unlimited, and each refused
look-up left no record).

- Every answer 403 or 404 to a signed-in user is audited as ``access.denied``
  (the path, the method, the status), whatever the view: a user probing ids
  outside their jurisdiction shows on the audit trail of their own area.
- ``GET`` and ``HEAD`` requests under ``READ_RATE_LIMIT_PATHS`` (the pages and
  API of persons, cases, screening and testing, the audit trail) count against
  ``READ_RATE_LIMIT`` per user in ``READ_RATE_WINDOW_S`` seconds (0 turns the
  limit off); past it, the answer is 429 with ``Retry-After``. The web's pages
  are counted by ``ReadGuardMiddleware``, the API's by ``ReadThrottle`` (after
  DRF has read the token), never both.
"""

from __future__ import annotations

import math
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

from . import audit, ratelimit

API_PREFIX = "/api/"


def _limited(request: Any) -> bool:
    return (
        int(settings.READ_RATE_LIMIT) > 0
        and request.method in ("GET", "HEAD")
        and request.path.startswith(tuple(settings.READ_RATE_LIMIT_PATHS))
        and getattr(request.user, "is_authenticated", False)
    )


def wait_s(user: Any) -> int | None:
    """Count one read by ``user``; the seconds to wait instead, past the limit."""
    now = time.time()
    until = ratelimit.take(
        ratelimit.key_for("reads", str(user.pk)),
        limit=int(settings.READ_RATE_LIMIT),
        window_s=int(settings.READ_RATE_WINDOW_S),
        now=now,
    )
    if until is None:
        return None
    return max(1, math.ceil(until - now))


class ReadThrottle(BaseThrottle):
    """DRF's side of the read limit: 429 with ``Retry-After`` (DRF's ``Throttled``)."""

    def __init__(self) -> None:
        self._wait: int | None = None

    def allow_request(self, request, view) -> bool:
        if not _limited(request):
            return True
        self._wait = wait_s(request.user)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


class ReadGuardMiddleware:
    """The web's side of the read limit, and the audit of every refusal."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if not request.path.startswith(API_PREFIX) and _limited(request):
            seconds = wait_s(request.user)
            if seconds is not None:
                response = HttpResponse(
                    _(
                        "Too many pages with personal data opened in a short time. "
                        "Try again in %(seconds)s seconds."
                    )
                    % {"seconds": seconds},
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(seconds)
                return response
        response = self.get_response(request)
        # DRF sets the user it authenticated (a token's) on this request too.
        user = getattr(request, "user", None)
        if response.status_code in (403, 404) and getattr(user, "is_authenticated", False):
            audit.record(
                actor=user,
                action="access.denied",
                request=request,
                detail={"status": response.status_code, "method": request.method},
            )
        return response
