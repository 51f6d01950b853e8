"""GCJ-02 and BD-09 to WGS-84 against published reference points (the test
points eviltransform's implementations share: Shanghai, Shenzhen, Beijing; and
coordtransform's, near Tiananmen, on the same Krasovsky ellipsoid as here), and
each inverse against its forward transform."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from zhanyi.engine import coords

# WGS-84 (lat, lon) → GCJ-02 (lat, lon)
GCJ = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]
#: coordtransform's point (116.404, 39.915) taken as WGS-84, GCJ-02 and BD-09.
TIANANMEN = (116.404, 39.915)
WGS_TO_GCJ = (116.41024449916938, 39.91640428150164)
GCJ_TO_BD = (116.41036949371029, 39.92133699351021)
BD_TO_GCJ = (116.39762729119315, 39.90865673957631)
#: About 0.1 m: the published points were made on another ellipsoid radius
#: (6378137 m) than the Krasovsky one used here; the offset differs by 0.02 %.
CLOSE = 1e-6


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), GCJ)
def test_wgs84_to_gcj02_matches_the_reference_points(wlat, wlon, glat, glon):
    lon, lat = coords.wgs84_to_gcj02(wlon, wlat)
    assert abs(lon - glon) < CLOSE and abs(lat - glat) < CLOSE


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), GCJ)
def test_gcj02_to_wgs84_finds_the_reference_points(wlat, wlon, glat, glon):
    lon, lat = coords.to_wgs84(glon, glat, coords.GCJ02)
    assert abs(lon - wlon) < CLOSE and abs(lat - wlat) < CLOSE


def test_the_krasovsky_and_baidu_formulas_match_coordtransform_to_the_last_digits():
    assert np.allclose(coords.wgs84_to_gcj02(*TIANANMEN), WGS_TO_GCJ, rtol=0, atol=1e-12)
    assert np.allclose(coords.gcj02_to_bd09(*TIANANMEN), GCJ_TO_BD, rtol=0, atol=1e-12)
    assert np.allclose(coords.bd09_to_gcj02(*TIANANMEN), BD_TO_GCJ, rtol=0, atol=1e-12)


def test_bd09_to_wgs84_goes_through_gcj02():
    lon, lat = coords.to_wgs84(*TIANANMEN, coords.BD09)
    back = coords.gcj02_to_bd09(*coords.wgs84_to_gcj02(lon, lat))
    assert np.allclose(back, TIANANMEN, rtol=0, atol=2e-5)  # BD-09's inverse: about 2 m
    assert np.allclose(coords.wgs84_to_gcj02(lon, lat), BD_TO_GCJ, rtol=0, atol=1e-9)


def test_the_inverses_undo_the_forward_transforms_in_zhangzhou():
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(116.9, 118.2, 500), rng.uniform(23.5, 25.2, 500)
    back = coords.gcj02_to_wgs84(*coords.wgs84_to_gcj02(lon, lat))
    assert np.abs(back[0] - lon).max() < 1e-8 and np.abs(back[1] - lat).max() < 1e-8
    gcj = coords.wgs84_to_gcj02(lon, lat)
    bd = coords.gcj02_to_bd09(*gcj)
    again = coords.bd09_to_gcj02(*bd)
    assert np.abs(again[0] - gcj[0]).max() < 1e-5  # BD-09's own inverse is approximate
    # The offset is hundreds of metres: not converting would misplace a point.
    assert 100 < np.abs(gcj[0] - lon).max() * 101_000 < 1000


def test_outside_china_nothing_moves_and_wgs84_is_kept():
    assert coords.to_wgs84(2.35, 48.85, coords.GCJ02) == (2.35, 48.85)
    assert coords.to_wgs84(117.6, 24.5, coords.WGS84) == (117.6, 24.5)
    with pytest.raises(ValueError, match="unknown coordinate system"):
        coords.to_wgs84(117.6, 24.5, "cgcs")


def test_a_polygon_moves_as_a_whole():
    square = shapely.box(117.6, 24.5, 117.61, 24.51)
    moved = coords.geometry_to_wgs84(square, coords.GCJ02)
    lon, lat = coords.gcj02_to_wgs84(117.6, 24.5)
    assert moved.bounds[0] == pytest.approx(float(lon)) and moved.bounds[1] == pytest.approx(
        float(lat)
    )
    assert coords.geometry_to_wgs84(square, coords.WGS84) is square
