"""Models of the testing app."""

from __future__ import annotations
