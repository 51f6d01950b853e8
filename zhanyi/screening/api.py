"""REST API of the screening app, scoped to the caller's jurisdiction."""

from __future__ import annotations

urlpatterns: list = []
