"""Template context every page gets from the core."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from . import clock


def story_clock(request: HttpRequest) -> dict:
    """The time of a demo running on its story's clock (zhanyi.core.clock), shown in
    the top bar so nobody takes September 2021 for today; nothing otherwise."""
    if not clock.is_story_time():
        return {}
    return {"story_clock": timezone.localtime(timezone.now())}
