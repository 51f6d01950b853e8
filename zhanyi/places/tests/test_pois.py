"""Points of interest: categories mapped, areas found by code, point or address."""

import io
import json

import pytest
from django.core.management import call_command

from zhanyi.core.audit import SystemActor
from zhanyi.places import actions
from zhanyi.places.models import Area, Place, PlaceKind

SYSTEM = SystemActor("test")
CODES = """代码,名称,城乡分类代码
350600000000,漳州市,
350602000000,芗城区,
350602001000,西桥街道,
350602001001,新瑞社区,111
350602001002,碧湖社区,111
"""


def square(x0, y0, size):
    ring = [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def tree(db):
    actions.do_load_divisions(io.BytesIO(CODES.encode()), "c.csv", acting_user=SYSTEM)
    features = [
        {"type": "Feature", "properties": {"code": c}, "geometry": square(x, 24.5, 0.01)}
        for c, x in (("350602001001", 117.60), ("350602001002", 117.61))
    ]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    actions.do_load_boundaries(io.BytesIO(data), "b.geojson", acting_user=SYSTEM)


def load(text: str, name="p.csv", **kw):
    return actions.do_load_places(io.BytesIO(text.encode()), name, acting_user=SYSTEM, **kw)


def test_categories_and_areas_by_code_point_and_address(tree):
    result = load(
        "名称,类别,经度,纬度,地址,区划代码\n"
        "新瑞小学,小学,,,,350602001001\n"
        "碧湖农贸市场,农贸市场,117.615,24.505,,\n"
        "漳州市医院,三级甲等医院,,,西桥街道碧湖社区胜利西路1号,\n"
        "碧湖花园,住宅小区,117.6151,24.5051,,\n"
    )
    assert (result.load.created, result.load.refused) == (4, 0), result.problems
    placed = {p.name: (p.kind, p.area.code) for p in Place.objects.select_related("area")}
    assert placed == {
        "新瑞小学": ("school", "350602001001"),
        "碧湖农贸市场": ("market", "350602001002"),
        "漳州市医院": ("hospital", "350602001002"),
        "碧湖花园": ("residential_compound", "350602001002"),
    }
    assert Place.objects.get(name="碧湖农贸市场").cell_id is not None


def test_loading_again_updates_and_an_unknown_category_is_other_with_a_warning(tree):
    text = "编号,名称,类别,经度,纬度\n7,碧湖驿站,驿站,117.615,24.505\n"
    first = load(text)
    assert first.load.created == 1 and first.load.warned == 1
    assert "驿站" in first.warnings[0]["message"]
    assert Place.objects.get(external_id=7).kind == PlaceKind.OTHER
    again = load(text, categories={"驿站": "station"})
    assert (again.load.created, again.load.updated) == (0, 1)
    assert Place.objects.get(external_id=7).kind == PlaceKind.STATION
    assert load(text, categories={"驿站": "station"}).load.unchanged == 1
    assert Place.objects.count() == 1


def test_a_place_nowhere_is_refused_and_the_rest_stored(tree):
    result = load("名称,类别,经度,纬度\n月球小学,学校,120.5,30.1\n碧湖小学,学校,117.615,24.505\n")
    assert (result.load.created, result.load.refused) == (1, 1)
    assert "No area found" in result.errors[0]["message"]
    assert result.load.error_file


def test_a_point_just_off_the_shore_goes_to_the_nearest_village_with_a_warning(tree):
    result = load("名称,类别,经度,纬度\n碧湖码头,码头,117.6205,24.505\n")
    assert result.load.created == 1
    assert Place.objects.get(name="碧湖码头").area.code == "350602001002"
    assert "outside" in result.warnings[0]["message"]


def test_geojson_points_and_the_command(tree, tmp_path, capsys):
    features = [
        {
            "type": "Feature",
            "properties": {"name": "新瑞车站", "type": "bus station"},
            "geometry": {"type": "Point", "coordinates": [117.605, 24.505]},
        }
    ]
    path = tmp_path / "poi.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    call_command("places", "import-places", str(path))
    assert "created 1" in capsys.readouterr().out
    place = Place.objects.get(name="新瑞车站")
    assert (place.kind, place.area.code) == ("station", "350602001001")


def test_a_bad_category_mapping_is_refused(tree):
    with pytest.raises(actions.LoadFileError, match="moon"):
        load("名称,类别\n甲,乙\n", categories={"乙": "moon"})
    assert not Area.objects.filter(places__isnull=False).exists()


def test_points_taken_from_amap_or_baidu_are_converted_to_wgs84(tree, capsys, tmp_path):
    """A point inside 新瑞社区 in WGS-84 lies about 500 m east in GCJ-02 (an Amap
    pick): read as WGS-84 it would fall in 碧湖社区; declared, it is converted
    back, and the load records the system."""
    from zhanyi.engine import coords

    wgs = (117.6058, 24.5050)
    gcj = [float(v) for v in coords.wgs84_to_gcj02(*wgs)]
    bd = [float(v) for v in coords.gcj02_to_bd09(*gcj)]
    assert gcj[0] > 117.61  # in the other village as written
    result = load(
        f"名称,类别,经度,纬度\n高德小学,小学,{gcj[0]},{gcj[1]}\n", coordinate_system="gcj02"
    )
    place = Place.objects.get(name="高德小学")
    assert place.area.code == "350602001001"
    assert (place.lon, place.lat) == pytest.approx(wgs, abs=1e-6)
    assert result.load.coordinate_system == "gcj02"
    path = tmp_path / "baidu.csv"
    path.write_text(f"名称,类别,经度,纬度\n百度诊所,诊所,{bd[0]},{bd[1]}\n", encoding="utf-8")
    call_command("places", "import-places", str(path), "--crs", "bd09")
    place = Place.objects.get(name="百度诊所")
    assert place.area.code == "350602001001"
    assert (place.lon, place.lat) == pytest.approx(wgs, abs=3e-5)  # BD-09: ~2 m
    with pytest.raises(actions.LoadFileError, match="Unknown coordinate system"):
        load("名称,类别\n甲,小学\n", coordinate_system="cgcs")


def test_a_boundary_drawn_on_amap_is_stored_in_wgs84(db):
    from zhanyi.engine import coords
    from zhanyi.places.models import DataLoad

    actions.do_load_divisions(io.BytesIO(CODES.encode()), "c.csv", acting_user=SYSTEM)
    ring = [[117.60, 24.50], [117.61, 24.50], [117.61, 24.51], [117.60, 24.51], [117.60, 24.50]]
    lon, lat = coords.wgs84_to_gcj02([p[0] for p in ring], [p[1] for p in ring])
    moved = [[float(x), float(y)] for x, y in zip(lon, lat, strict=True)]
    feature = {
        "type": "Feature",
        "properties": {"code": "350602001001"},
        "geometry": {"type": "Polygon", "coordinates": [moved]},
    }
    data = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    actions.do_load_boundaries(
        io.BytesIO(data), "b.geojson", acting_user=SYSTEM, coordinate_system="gcj02"
    )
    stored = Area.objects.get(code="350602001001").boundary["coordinates"][0]
    assert min(p[0] for p in stored) == pytest.approx(117.60, abs=2e-5)
    assert min(p[1] for p in stored) == pytest.approx(24.50, abs=2e-5)
    assert DataLoad.objects.get(kind="boundaries").coordinate_system == "gcj02"
