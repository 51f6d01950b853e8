"""REST API of the tracing task force, at ``/api/v1/tracing/``: cases, their
contacts and companions (``cases``), operators' stay files (``feeds``).
Authentication by token (``Authorization: Token …``)."""

from __future__ import annotations

from . import cases, feeds

urlpatterns = cases.urlpatterns + feeds.urlpatterns
