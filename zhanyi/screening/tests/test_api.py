"""The screening API: post a list, list tasks, record an outcome; refusals outside."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from zhanyi.screening.models import PushRecord, ScreeningTask

from .conftest import csv_bytes, row_for


def post_list(api, source, data: bytes, name="list.csv"):
    return api.post(
        "/api/v1/screening/lists/",
        {"source": source, "file": SimpleUploadedFile(name, data, "text/csv")},
        format="multipart",
    )


def test_posting_a_list_returns_its_job_and_the_job_its_counts(world, index, putian, api_for):
    api = api_for(world.tracer)
    data = csv_bytes([row_for(world, "陈建国"), row_for(world, "王芳")], "gb18030")
    response = post_list(api, putian.name, data)
    assert response.status_code == 202, response.content
    job = api.get(response.json()["status_url"]).json()
    assert job["status"] == "done"
    assert job["push_list"]["rows_stored"] == 2
    assert job["push_list"]["encoding"] == "gbk"
    assert PushRecord.objects.count() == 2


def test_an_unknown_source_is_refused_naming_it(world, index, api_for):
    response = post_list(api_for(world.tracer), "火星协查", b"x")
    assert response.status_code == 400
    assert "火星协查" in response.json()["source"][0]


def test_a_source_of_digits_int_cannot_read_is_refused_not_a_server_error(world, index, api_for):
    response = post_list(api_for(world.tracer), "²", b"x")
    assert response.status_code == 400
    assert "²" in response.json()["source"][0]


def test_a_field_member_cannot_post_a_list(world, putian, api_for):
    response = post_list(api_for(world.village_member), putian.name, b"x")
    assert response.status_code == 403


def test_tasks_are_listed_by_jurisdiction_with_numbers_masked(world, index, putian, api_for):
    post_list(
        api_for(world.commander),
        putian.name,
        csv_bytes([row_for(world, "陈建国"), row_for(world, "王芳")]),
    )
    mine = api_for(world.village_member).get("/api/v1/screening/tasks/").json()["results"]
    assert [t["person"]["name"] for t in mine] == ["陈建国"]
    assert "*" in mine[0]["person"]["identity_number"]
    other = api_for(world.other_county_staff).get("/api/v1/screening/tasks/").json()["results"]
    assert [t["person"]["name"] for t in other] == ["王芳"]
    assert api_for(world.outsider).get("/api/v1/screening/tasks/").status_code == 403


def test_an_outcome_is_recorded_and_refused_outside_the_jurisdiction(world, index, putian, api_for):
    post_list(api_for(world.commander), putian.name, csv_bytes([row_for(world, "陈建国")]))
    task = ScreeningTask.objects.get()
    url = f"/api/v1/screening/tasks/{task.pk}/outcome/"
    refused = api_for(world.other_county_staff).post(url, {"outcome": "not_found"}, format="json")
    assert refused.status_code == 404
    bad = api_for(world.village_member).post(url, {"outcome": "found_in_city"}, format="json")
    assert bad.status_code == 400 and "measure" in bad.json()
    ok = api_for(world.village_member).post(
        url,
        {"outcome": "found_in_city", "found_where": "home", "measure": "home_quarantine"},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "closed"


def test_a_place_longer_than_its_column_is_refused_not_cut(world, index, putian, api_for):
    post_list(api_for(world.commander), putian.name, csv_bytes([row_for(world, "陈建国")]))
    task = ScreeningTask.objects.get()
    url = f"/api/v1/screening/tasks/{task.pk}/outcome/"
    long = api_for(world.village_member).post(
        url, {"outcome": "not_in_city", "current_location": "厦门" * 130}, format="json"
    )
    assert long.status_code == 400
    assert long.json()["current_location"] == ["共 260 个字符，最多允许 255 个。"]
    task.refresh_from_db()
    assert (task.status, task.current_location) == (ScreeningTask.Status.OPEN, "")


def test_an_unknown_source_is_refused_in_the_callers_language(world, index, api_for):
    api = api_for(world.tracer)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = post_list(api, "火星协查", b"x")
    assert response.status_code == 400
    assert response.json()["source"] == ["没有名为 '火星协查' 的协查来源。"]
