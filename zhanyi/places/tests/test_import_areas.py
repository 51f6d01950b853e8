import pytest

from zhanyi.places import actions
from zhanyi.places.models import Area, Place

SQUARE = (
    '{"type": "Polygon", "coordinates": [[[117.6,24.5],[117.7,24.5],[117.7,24.6],[117.6,24.5]]]}'
)


def rows():
    # Children first: the action must place them after their parents.
    return [
        {
            "code": "350602001001",
            "name": "东铺头社区",
            "level": "village",
            "kind": "community",
            "parent_code": "350602001",
            "population": 5000,
        },
        {
            "code": "350602001",
            "name": "东铺头街道",
            "level": "township",
            "kind": "subdistrict",
            "parent_code": "350602",
            "population": 20000,
        },
        {
            "code": "350602",
            "name": "芗城区",
            "level": "county",
            "kind": "district",
            "parent_code": "350600",
            "population": 600000,
            "boundary": SQUARE,
        },
        {
            "code": "350600",
            "name": "漳州市",
            "level": "city",
            "kind": "city",
            "parent_code": None,
            "population": 5050000,
        },
    ]


@pytest.mark.django_db
def test_it_builds_the_tree_whatever_the_row_order():
    counts = actions.do_import_areas(acting_user=None, rows=rows())
    assert counts.created == 4
    village = Area.objects.get(code="350602001001")
    assert village.path == "/350600/350602/350602001/350602001001/"
    assert [a.name for a in village.ancestors()] == ["漳州市", "芗城区", "东铺头街道", "东铺头社区"]
    assert Area.objects.get(code="350602").boundary["type"] == "Polygon"


@pytest.mark.django_db
def test_importing_again_updates_instead_of_duplicating():
    actions.do_import_areas(acting_user=None, rows=rows())
    changed = rows()
    changed[0]["population"] = 5100
    counts = actions.do_import_areas(acting_user=None, rows=changed)
    assert (counts.created, counts.updated) == (0, 4)
    assert Area.objects.get(code="350602001001").population == 5100


@pytest.mark.django_db
def test_an_unknown_parent_refuses_the_whole_import():
    bad = [
        *rows(),
        {"code": "350699001", "name": "无名镇", "level": "township", "parent_code": "350699"},
    ]
    with pytest.raises(actions.PlacesImportError) as excinfo:
        actions.do_import_areas(acting_user=None, rows=bad)
    assert "350699" in str(excinfo.value)
    assert not Area.objects.exists()


@pytest.mark.django_db
def test_a_level_above_its_parent_is_refused():
    bad = [
        *rows(),
        {"code": "350602009", "name": "错层", "level": "county", "parent_code": "350602001"},
    ]
    with pytest.raises(actions.PlacesImportError, match="cannot sit under"):
        actions.do_import_areas(acting_user=None, rows=bad)


@pytest.mark.django_db
def test_places_land_in_their_areas_and_an_unknown_kind_is_refused():
    actions.do_import_areas(acting_user=None, rows=rows())
    place = {
        "place_id": 7,
        "name": "东铺头小学",
        "kind": "school",
        "area_code": "350602001001",
        "lon": 117.65,
        "lat": 24.51,
        "cell_id": 1234,
        "capacity": 900,
    }
    actions.do_import_places(acting_user=None, rows=[place])
    assert Place.objects.get(external_id=7).area.code == "350602001001"
    with pytest.raises(actions.PlacesImportError, match="unknown kind"):
        actions.do_import_places(acting_user=None, rows=[{**place, "place_id": 8, "kind": "moon"}])
    assert Place.objects.count() == 1
