"""REST API of the tracing app, scoped to the caller's jurisdiction."""

from __future__ import annotations

urlpatterns: list = []
