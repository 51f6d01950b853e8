"""Pages of the tracing app."""

from __future__ import annotations
