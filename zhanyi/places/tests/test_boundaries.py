"""Boundaries from GeoJSON and Shapefile: checked, simplified, refused with a reason."""

import io
import json
import zipfile

import pytest
import shapefile
from django.core.management import call_command

from zhanyi.core.audit import SystemActor
from zhanyi.places import actions
from zhanyi.places.models import Area

SYSTEM = SystemActor("test")
CODES = (
    "代码,名称\n350600000000,漳州市\n350602000000,芗城区\n"
    "350602001000,西桥街道\n350602001001,新瑞社区\n"
)


def square(x0, y0, size):
    return {
        "type": "Polygon",
        "coordinates": [
            [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
        ],
    }


def feature(code, geometry, **props):
    return {"type": "Feature", "properties": {"code": code, **props}, "geometry": geometry}


def geojson(*features):
    data = {"type": "FeatureCollection", "features": list(features)}
    return io.BytesIO(json.dumps(data).encode())


@pytest.fixture
def tree(db):
    actions.do_load_divisions(io.BytesIO(CODES.encode()), "c.csv", acting_user=SYSTEM)


def load(fh, name="b.geojson", **kw):
    return actions.do_load_boundaries(fh, name, acting_user=SYSTEM, **kw)


def test_polygons_are_stored_simplified_and_loading_again_changes_nothing(tree):
    # A county outline with many points on straight edges: simplified to its corners.
    ring = [[117.5 + i * 0.001, 24.4] for i in range(200)]
    ring += [[117.7, 24.4], [117.7, 24.6], [117.5, 24.6], [117.5, 24.4]]
    county = {"type": "Polygon", "coordinates": [ring]}
    fh = geojson(feature("350602", county), feature("350602001", square(117.55, 24.45, 0.05)))
    result = load(fh)
    assert (result.load.created, result.load.refused) == (2, 0)
    stored = Area.objects.get(code="350602").boundary
    assert stored["type"] == "Polygon" and len(stored["coordinates"][0]) == 5
    assert Area.objects.get(code="350602001").lon is not None
    fh.seek(0)
    again = load(fh)
    assert (again.load.created, again.load.updated, again.load.unchanged) == (0, 0, 2)


def test_a_point_or_a_line_is_refused_as_not_a_polygon(tree):
    result = load(
        geojson(
            feature("350602", {"type": "Point", "coordinates": [117.6, 24.5]}),
            feature(
                "350602001", {"type": "LineString", "coordinates": [[117.6, 24.5], [117.7, 24.5]]}
            ),
            feature("350602001001", square(117.56, 24.46, 0.01)),
        )
    )
    assert result.load.refused == 2 and result.load.created == 1
    messages = [p["message"] for p in result.errors]
    assert "a Point, not a polygon" in messages[0]
    assert "a LineString, not a polygon" in messages[1]
    assert result.load.error_file


def test_a_child_outside_its_parent_is_refused_a_bow_tie_repaired(tree):
    load(geojson(feature("350602", square(117.5, 24.4, 0.2))))
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[117.55, 24.45], [117.6, 24.5], [117.6, 24.45], [117.55, 24.5], [117.55, 24.45]]
        ],
    }
    result = load(
        geojson(feature("350602001", bow_tie), feature("350602001001", square(117.8, 24.5, 0.05)))
    )
    assert result.load.created == 1
    assert "repaired" in result.warnings[0]["message"]
    assert Area.objects.get(code="350602001").boundary["type"] in ("MultiPolygon", "Polygon")
    assert "outside its parent" in result.errors[0]["message"]
    assert Area.objects.get(code="350602001001").boundary is None


def test_an_unknown_code_and_projected_coordinates_are_refused(tree):
    result = load(
        geojson(
            feature("350699", square(117.5, 24.4, 0.1)),
            feature("350602", square(500000.0, 2700000.0, 1000.0)),
        )
    )
    assert "load the division codes first" in result.errors[0]["message"]
    assert "not longitude and latitude" in result.errors[1]["message"]


def test_a_file_that_is_not_a_feature_collection_is_refused(tree):
    with pytest.raises(actions.LoadFileError, match="FeatureCollection"):
        load(io.BytesIO(json.dumps(square(117.5, 24.4, 0.1)).encode()))
    with pytest.raises(actions.LoadFileError, match="GeoJSON"):
        load(io.BytesIO(b"not json"))


def _shapefile_zip(records, prj: str | None = None) -> bytes:
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(
        shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON, encoding="gbk"
    ) as w:
        w.field("XZQDM", "C", 12)
        w.field("XZQMC", "C", 40)
        for code, name, geometry in records:
            w.shape(geometry)
            w.record(code, name)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("areas.shp", shp.getvalue())
        z.writestr("areas.shx", shx.getvalue())
        z.writestr("areas.dbf", dbf.getvalue())
        if prj:
            z.writestr("areas.prj", prj)
    return out.getvalue()


def test_a_zipped_shapefile_with_gbk_attributes_is_read(tree, tmp_path, capsys):
    data = _shapefile_zip([("350602000000", "芗城区", square(117.5, 24.4, 0.2))])
    path = tmp_path / "areas.zip"
    path.write_bytes(data)
    call_command("places", "import-boundaries", str(path))
    assert "created 1" in capsys.readouterr().out
    assert Area.objects.get(code="350602").boundary["type"] == "Polygon"


def test_a_projected_shapefile_is_refused_naming_its_system(tree):
    data = _shapefile_zip(
        [("350602000000", "芗城区", square(117.5, 24.4, 0.2))],
        prj='PROJCS["CGCS2000_3_Degree_GK_CM_117E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000"]]',
    )
    with pytest.raises(actions.LoadFileError, match="CGCS2000_3_Degree_GK_CM_117E"):
        load(io.BytesIO(data), "areas.zip")
