"""Epidemic curves: daily counts per area, as a matrix (areas × days)."""

from __future__ import annotations

import numpy as np


def daily_counts(
    area_index: np.ndarray, day_index: np.ndarray, areas: int, days: int
) -> np.ndarray:
    """Counts of events by area and day: ``area_index[i]``, ``day_index[i]``
    of each event (days counted from the curve's first day; events outside
    ``0 ≤ day < days`` are left out). Returns an int64 matrix (areas, days)."""
    area_index = np.asarray(area_index, dtype=np.int64)
    day_index = np.asarray(day_index, dtype=np.int64)
    inside = (day_index >= 0) & (day_index < days) & (area_index >= 0) & (area_index < areas)
    flat = area_index[inside] * days + day_index[inside]
    return np.bincount(flat, minlength=areas * days).reshape(areas, days)
