"""Pages of the screening app."""

from __future__ import annotations
