"""The 800 m location grid (网格) that phone stays are counted on.

A cell (``cell``) is an 800 m x 800 m square on a local equirectangular
projection of the city's bounding box. Cell ids are ``row * N_COLS + col``,
row 0 at the southern edge, so they are dense non-negative integers that fit in
an int32 and sort by latitude band. The grid is the same for every backend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

CELL_METERS = 800.0
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Grid:
    """A regular metre grid over a lon/lat bounding box."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    cell_m: float = CELL_METERS

    @property
    def _ref_lat(self) -> float:
        return (self.min_lat + self.max_lat) / 2

    @property
    def m_per_deg_lat(self) -> float:
        return math.pi * EARTH_RADIUS_M / 180

    @property
    def m_per_deg_lon(self) -> float:
        return self.m_per_deg_lat * math.cos(math.radians(self._ref_lat))

    @property
    def n_cols(self) -> int:
        return math.ceil((self.max_lon - self.min_lon) * self.m_per_deg_lon / self.cell_m)

    @property
    def n_rows(self) -> int:
        return math.ceil((self.max_lat - self.min_lat) * self.m_per_deg_lat / self.cell_m)

    @property
    def n_cells(self) -> int:
        return self.n_cols * self.n_rows

    def cell_of(self, lon: np.ndarray | float, lat: np.ndarray | float) -> np.ndarray:
        """Cell ids for points; -1 for a point outside the box."""
        lon_a = np.asarray(lon, dtype=np.float64)
        lat_a = np.asarray(lat, dtype=np.float64)
        col = np.floor((lon_a - self.min_lon) * self.m_per_deg_lon / self.cell_m).astype(np.int64)
        row = np.floor((lat_a - self.min_lat) * self.m_per_deg_lat / self.cell_m).astype(np.int64)
        inside = (col >= 0) & (col < self.n_cols) & (row >= 0) & (row < self.n_rows)
        return np.where(inside, row * self.n_cols + col, -1).astype(np.int32)

    def is_valid(self, cell: np.ndarray | int) -> np.ndarray:
        cell_a = np.asarray(cell, dtype=np.int64)
        return (cell_a >= 0) & (cell_a < self.n_cells)


# Zhangzhou's extent, with a margin: the city lies within about
# 116.9-118.2 E and 23.5-25.3 N.
ZHANGZHOU = Grid(min_lon=116.85, min_lat=23.45, max_lon=118.25, max_lat=25.30)
