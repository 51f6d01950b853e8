"""Coordinate systems of Chinese maps: WGS-84, GCJ-02 and BD-09, to WGS-84.

Maps published in China may not show true coordinates: Amap (高德), Tencent and
most Chinese map services use GCJ-02 (国测局坐标, "Mars coordinates"), WGS-84
shifted by an obfuscating offset of a few hundred metres; Baidu uses BD-09, a
further shift of GCJ-02. A city's places or boundaries drawn on such a map are
in one of these, while zhanyi (its boundaries, its grid, the operators' cells)
keeps WGS-84 (CGCS2000, the same to within centimetres).

No well-kept library does this on PyPI (``eviltransform`` and ``coord-convert``
have not changed since 2018 and 2019), so these are the published formulas:
the GCJ-02 offset on the Krasovsky ellipsoid (a = 6378245 m), the BD-09 shift
(its 0.0065/0.006 offset and rotation), and GCJ-02 to WGS-84 by fixed-point
iteration of the forward offset (to 1e-9°, a millimetre). Points outside
China's bounding box have no offset (as the maps do). Vectorised over NumPy
arrays; scalars work too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

WGS84 = "wgs84"
GCJ02 = "gcj02"
BD09 = "bd09"
SYSTEMS = (WGS84, GCJ02, BD09)

_A = 6378245.0  # Krasovsky 1940, the ellipsoid of the GCJ-02 offset
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 offset (degrees of longitude, latitude) at a WGS-84 point."""
    x, y = lon - 105.0, lat - 35.0
    sq = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * sq
        + common
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * sq
        + common
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    rad = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    inside = _in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def _arrays(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def wgs84_to_gcj02(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _arrays(lon, lat)
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """The WGS-84 point whose GCJ-02 is the given one (iterated to 1e-9°)."""
    lon, lat = _arrays(lon, lat)
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(30):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = glon - lon, glat - lat
        wlon, wlat = wlon - elon, wlat - elat
        if np.all(np.abs(elon) < 1e-9) and np.all(np.abs(elat) < 1e-9):
            break
    return wlon, wlat


def bd09_to_gcj02(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _arrays(lon, lat)
    x, y = lon - 0.0065, lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def gcj02_to_bd09(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _arrays(lon, lat)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def to_wgs84(lon: Any, lat: Any, system: str) -> tuple[np.ndarray, np.ndarray]:
    """Points given in ``system`` (one of ``SYSTEMS``) as WGS-84."""
    if system == WGS84:
        return _arrays(lon, lat)
    if system == GCJ02:
        return gcj02_to_wgs84(lon, lat)
    if system == BD09:
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    raise ValueError(f"unknown coordinate system {system!r} (known: {', '.join(SYSTEMS)})")


def geometry_to_wgs84(geom: Any, system: str) -> Any:
    """A Shapely geometry's every coordinate moved to WGS-84."""
    if system == WGS84:
        return geom
    import shapely

    def move(xy: np.ndarray) -> np.ndarray:
        lon, lat = to_wgs84(xy[:, 0], xy[:, 1], system)
        return np.column_stack([lon, lat])

    return shapely.transform(geom, move)
