"""Over the API, a file of division codes, boundaries or places goes to the
worker as the pages' uploads do: 202 with the load's address to poll, and the
load's result there once the worker has done it; a bad file is explained, an
outsider refused."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhanyi.core import testing as in_english
from zhanyi.places import jobs as place_jobs
from zhanyi.places.models import Area, DataLoad, Place

english, api_for = in_english.english, in_english.api_for

LOADS = "/api/v1/command/setup/loads/"
CODES = "统计用区划代码,名称\n350602001003,新村社区\n350699001000,无名镇\n"


def test_a_posted_file_is_queued_and_its_address_polled_until_done(world, api_for, queue):
    api = api_for(world.admin)
    upload = SimpleUploadedFile("codes.csv", CODES.encode("gbk"))
    response = api.post(LOADS, {"kind": "areas", "file": upload})
    load = DataLoad.objects.get()
    assert response.status_code == 202
    body = response.json()
    assert body["url"] == f"{LOADS}{load.pk}/" and response["Location"] == body["url"]
    assert (body["status"], body["kind"], queue.ids) == ("queued", "areas", [load.pk])
    assert not Area.objects.filter(code="350602001003").exists()
    assert Path(load.upload_path).is_file()

    place_jobs.load_queued(load.pk)
    done = api.get(body["url"]).json()
    assert (done["status"], done["created"], done["refused"]) == ("done", 1, 1)
    assert "Its parent 350699 is not loaded" in done["problems"][0]["message"]
    assert Area.objects.filter(code="350602001003", parent__code="350602001").exists()


def test_boundaries_are_loaded_by_the_worker_with_their_problems(world, api_for):
    # The tests' worker runs a queued job at once (the immediate backend).
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": world.village.code},
                "geometry": {"type": "Point", "coordinates": [117.6, 24.5]},
            }
        ],
    }
    api = api_for(world.admin)
    upload = SimpleUploadedFile("b.geojson", json.dumps(geojson).encode())
    response = api.post(LOADS, {"kind": "boundaries", "file": upload, "tolerance": "50"})
    assert response.status_code == 202
    done = api.get(response.json()["url"]).json()
    assert (done["kind"], done["status"], done["refused"]) == ("boundaries", "done", 1)
    assert "not a polygon" in done["problems"][0]["message"]
    assert DataLoad.objects.get().options["tolerance"] == 50.0


def test_places_keep_the_coordinate_system_and_the_categories(world, api_for):
    from zhanyi.engine import coords

    lon, lat = (float(v) for v in coords.wgs84_to_gcj02(117.65, 24.51))
    text = f"名称,类别,经度,纬度,区划代码\n高德小学,学堂,{lon},{lat},{world.village.code}\n"
    response = api_for(world.admin).post(
        LOADS,
        {
            "kind": "places",
            "file": SimpleUploadedFile("p.csv", text.encode()),
            "coordinate_system": "gcj02",
            "categories": "学堂=school",
        },
    )
    assert response.status_code == 202
    place = Place.objects.get(name="高德小学")
    assert place.kind == "school"
    assert (place.lon, place.lat) == pytest.approx((117.65, 24.51), abs=1e-6)


def test_a_bad_file_is_explained(world, api_for, queue):
    api = api_for(world.admin)
    # A kind of file no loader reads: refused at once, nothing queued.
    response = api.post(LOADS, {"kind": "areas", "file": SimpleUploadedFile("c.pdf", b"%PDF")})
    assert response.status_code == 400
    assert "cannot be loaded here" in response.json()["file"][0]
    assert not DataLoad.objects.exists() and queue.ids == []
    # A file the worker cannot read: the load fails, says why, stores nothing.
    bad = f"单位,类别,区划代码\n甲小学,学校,{world.village.code}\n"
    response = api.post(
        LOADS, {"kind": "places", "file": SimpleUploadedFile("p.csv", bad.encode())}
    )
    assert response.status_code == 202
    place_jobs.load_queued(response.json()["id"])
    failed = api.get(response.json()["url"]).json()
    assert failed["status"] == "failed" and "No header row" in failed["message"]
    assert not Place.objects.exists()


def test_an_outsider_and_a_leader_are_refused(world, api_for, queue):
    upload = SimpleUploadedFile("codes.csv", CODES.encode())
    for user in (world.outsider, world.leader):
        api = api_for(user)
        assert api.post(LOADS, {"kind": "areas", "file": upload}).status_code == 403
        assert api.get(LOADS).status_code == 403
    assert not DataLoad.objects.exists() and queue.ids == []


def test_another_countys_administrator_cannot_poll_the_load(world, api_for, queue):
    from zhanyi.accounts.testing import make_user

    api = api_for(world.admin)
    upload = SimpleUploadedFile("codes.csv", CODES.encode())
    url = api.post(LOADS, {"kind": "areas", "file": upload}).json()["url"]
    county_admin = make_user("county-admin", "admin", world.other_county)
    assert api_for(county_admin).get(url).status_code == 403
    assert api.get(url).status_code == 200
