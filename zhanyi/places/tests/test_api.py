from zhanyi.places.models import Place

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[117.6, 24.5], [117.7, 24.5], [117.7, 24.6], [117.6, 24.5]]],
}


def test_the_area_list_is_scoped_to_the_callers_jurisdiction(world, api_for):
    response = api_for(world.tracer).get("/api/v1/places/areas/")
    codes = {a["code"] for a in response.json()["results"]}
    assert world.county.code in codes and world.village.code in codes
    assert world.other_county.code not in codes and world.city.code not in codes


def test_areas_filter_by_level_and_parent(world, api_for):
    api = api_for(world.commander)
    counties = api.get("/api/v1/places/areas/", {"level": "county"}).json()["results"]
    assert {a["name"] for a in counties} == {"芗城区", "龙海区"}
    villages = api.get("/api/v1/places/areas/", {"parent": world.township.code}).json()
    assert {a["name"] for a in villages["results"]} == {"东铺头社区", "南昌社区"}


def test_an_outsider_gets_no_areas_and_no_area(world, api_for):
    api = api_for(world.outsider)
    assert api.get("/api/v1/places/areas/").json()["results"] == []
    assert api.get(f"/api/v1/places/areas/{world.village.code}/").status_code == 403


def test_a_request_without_a_token_is_refused(world, client):
    assert client.get("/api/v1/places/areas/").status_code in (401, 403)


def test_children_geojson_carries_names_and_population(world, api_for):
    world.county.boundary = SQUARE
    world.county.save(update_fields=["boundary"])
    geo = (
        api_for(world.commander)
        .get(f"/api/v1/places/areas/{world.city.code}/children.geojson")
        .json()
    )
    assert geo["type"] == "FeatureCollection"
    assert [f["properties"]["name"] for f in geo["features"]] == ["芗城区"]
    assert geo["features"][0]["properties"]["population"] == 600000


def test_places_are_scoped_and_filtered(world, api_for):
    Place.objects.create(name="东铺头小学", kind="school", area=world.village)
    Place.objects.create(name="石码医院", kind="hospital", area=world.other_village)
    names = {
        p["name"] for p in api_for(world.tracer).get("/api/v1/places/places/").json()["results"]
    }
    assert names == {"东铺头小学"}
    hospitals = api_for(world.commander).get("/api/v1/places/places/", {"kind": "hospital"})
    assert [p["name"] for p in hospitals.json()["results"]] == ["石码医院"]
