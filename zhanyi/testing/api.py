"""REST API of the testing app, scoped to the caller's jurisdiction."""

from __future__ import annotations

urlpatterns: list = []
