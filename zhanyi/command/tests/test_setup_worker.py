"""A page's upload of areas, boundaries or places is loaded by the worker: the
page returns at once with the load queued, its page follows the progress, and
a file that fails stores nothing and says why; the coordinate system chosen
on the page reaches the load."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhanyi.core import testing as in_english
from zhanyi.places import jobs as place_jobs
from zhanyi.places.models import Area, DataLoad, Place

english, client = in_english.english, in_english.client

CODES = "统计用区划代码,名称\n350602001003,新村社区\n"


def test_an_upload_returns_at_once_and_the_worker_loads_it(world, client, queue):
    client.force_login(world.admin)
    upload = SimpleUploadedFile("codes.csv", CODES.encode("gbk"))
    response = client.post("/setup/areas/", {"file": upload})
    load = DataLoad.objects.get()
    assert response["Location"] == f"/setup/loads/{load.pk}/"
    assert (load.status, queue.ids) == ("queued", [load.pk])
    assert not Area.objects.filter(code="350602001003").exists()
    page = client.get(f"/setup/loads/{load.pk}/").content.decode()
    assert "Waiting for the worker" in page and 'hx-trigger="every 2s"' in page
    saved = Path(load.upload_path)
    assert saved.is_file()

    assert place_jobs.load_queued(load.pk)["status"] == "done"
    load.refresh_from_db()
    assert (load.status, load.created, load.rows_read) == ("done", 1, 1)
    assert Area.objects.filter(code="350602001003", parent__code="350602001").exists()
    assert not saved.exists() and load.upload_path == ""
    page = client.get(f"/setup/loads/{load.pk}/").content.decode()
    assert "hx-trigger" not in page and "Loaded" in page
    # Run twice (a worker restarted): nothing more happens.
    assert place_jobs.load_queued(load.pk) == {"status": "done"}


def test_a_file_that_fails_stores_nothing_and_says_why(world, client, queue):
    client.force_login(world.admin)
    village = world.village.code
    bad = "名称,类别,区划代码\n甲小学,学校,{v}\n".replace("名称", "单位").format(v=village)
    client.post("/setup/places/", {"file": SimpleUploadedFile("p.csv", bad.encode())})
    load = DataLoad.objects.get()
    assert place_jobs.load_queued(load.pk)["status"] == "failed"
    load.refresh_from_db()
    assert load.status == "failed" and "No header row" in load.message
    assert not Place.objects.exists() and not Path(load.upload_path or "/nonexistent").exists()
    assert "No header row" in client.get(f"/setup/loads/{load.pk}/").content.decode()


def test_the_page_passes_the_coordinate_system_to_the_load(world, client, queue):
    from zhanyi.engine import coords

    client.force_login(world.admin)
    lon, lat = (float(v) for v in coords.wgs84_to_gcj02(117.65, 24.51))
    text = f"名称,类别,经度,纬度,区划代码\n高德小学,小学,{lon},{lat},{world.village.code}\n"
    client.post(
        "/setup/places/",
        {"file": SimpleUploadedFile("p.csv", text.encode()), "coordinate_system": "gcj02"},
    )
    load = DataLoad.objects.get()
    assert load.coordinate_system == "gcj02"
    place_jobs.load_queued(load.pk)
    place = Place.objects.get(name="高德小学")
    assert (place.lon, place.lat) == pytest.approx((117.65, 24.51), abs=1e-6)
