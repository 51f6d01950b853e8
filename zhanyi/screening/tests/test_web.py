"""The screening pages: upload with progress, error file, task lists by jurisdiction."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhanyi.screening.actions import do_import_push_list
from zhanyi.screening.models import ImportJob, PushList, ScreeningTask

from .conftest import csv_bytes, row_for, write_file


@pytest.fixture
def tasks(world, index, putian, tmp_path):
    rows = [row_for(world, "陈建国"), row_for(world, "吴丽华"), row_for(world, "王芳")]
    path = write_file(tmp_path, "list.csv", csv_bytes(rows))
    do_import_push_list(putian, path, filename="list.csv", acting_user=world.commander)
    return {t.person.name: t for t in ScreeningTask.objects.select_related("person")}


def test_uploading_a_gbk_list_runs_the_import_and_shows_its_progress(
    world, index, putian, client_for
):
    client = client_for(world.tracer)
    data = csv_bytes([row_for(world, "陈建国"), row_for(world, "林秀英", category="错")], "gbk")
    response = client.post(
        "/screening/upload/",
        {"source": putian.pk, "file": SimpleUploadedFile("莆田.csv", data, "text/csv")},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/screening/jobs/{job.pk}/"
    assert job.status == "done"
    fragment = client.get(f"/screening/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert "100%" in fragment.content.decode()
    push_list = PushList.objects.get()
    assert push_list.encoding == "gbk" and push_list.rows_warned == 1
    page = client.get(f"/screening/lists/{push_list.pk}/")
    assert "gbk" in page.content.decode()
    # The page lists its rows, each with its task's state and a link to it.
    task = ScreeningTask.objects.get(person__name="陈建国")
    assert f'href="/screening/tasks/{task.pk}/"' in page.content.decode()
    errors = client.get(f"/screening/lists/{push_list.pk}/errors.xlsx")
    assert errors.status_code == 200
    assert "errors-%E8%8E%86%E7%94%B0.xlsx" in errors["Content-Disposition"]
    assert ".csv" not in errors["Content-Disposition"]
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(errors.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[1][0] == "林秀英" and "Category" in rows[1][-2] and not rows[1][-3]
    assert "Rows stored with warnings" in page.content.decode()


def test_a_file_of_the_wrong_format_is_refused_on_the_form(world, putian, client_for):
    client = client_for(world.tracer)
    response = client.post(
        "/screening/upload/",
        {"source": putian.pk, "file": SimpleUploadedFile("list.pdf", b"%PDF", "application/pdf")},
    )
    assert response.status_code == 200
    assert ".xlsx" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_the_template_is_an_xlsx_with_the_recognised_headers(world, client_for):
    response = client_for(world.village_member).get("/screening/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = next(book.active.iter_rows(values_only=True))
    assert header[:2] == ("姓名", "身份证号")


def test_a_village_team_sees_only_its_villages_tasks(world, tasks, client_for):
    page = client_for(world.village_member).get("/screening/tasks/").content.decode()
    assert "陈建国" in page
    assert "吴丽华" not in page and "王芳" not in page


def test_a_village_team_records_an_outcome_on_the_phone_page(world, tasks, client_for):
    client = client_for(world.village_member)
    task = tasks["陈建国"]
    page = client.get(f"/screening/tasks/{task.pk}/")
    assert page.status_code == 200
    # A field member sees the phone (to ring), not the identity number.
    body = page.content.decode()
    assert "139 0596 1001" in body or "13905961001" in body
    assert task.person.identity_number not in body
    response = client.post(
        f"/screening/tasks/{task.pk}/",
        {"outcome": "found_in_city", "found_where": "home", "measure": "health_monitoring"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.outcome == "found_in_city"


def test_another_villages_task_is_not_found_for_the_team(world, tasks, client_for):
    client = client_for(world.village_member)
    assert client.get(f"/screening/tasks/{tasks['吴丽华'].pk}/").status_code == 404
    assert client.get(f"/screening/tasks/{tasks['王芳'].pk}/").status_code == 404


def test_an_outsider_and_another_county_are_refused(world, tasks, client_for):
    assert client_for(world.outsider).get("/screening/").status_code == 403
    client = client_for(world.other_county_staff)
    assert client.get(f"/screening/tasks/{tasks['陈建国'].pk}/").status_code == 404
    assert "陈建国" not in client.get("/screening/tasks/").content.decode()


def test_a_field_member_cannot_upload_lists(world, client_for):
    assert client_for(world.village_member).get("/screening/upload/").status_code == 403


def test_the_desk_shows_figures_and_the_overdue_page_lists_escalated_tasks(
    world, tasks, client_for
):
    import datetime as dt

    ScreeningTask.objects.filter(pk=tasks["陈建国"].pk).update(
        due_at=tasks["陈建国"].received_at - dt.timedelta(minutes=1)
    )
    client = client_for(world.tracer)
    desk = client.get("/screening/").content.decode()
    assert "Pushed records received" in desk
    overdue = client.get("/screening/supervision/").content.decode()
    assert "陈建国" in overdue and "Escalated" in overdue
    assert "吴丽华" not in overdue


def test_the_reply_list_holds_the_people_not_in_the_city(world, tasks, putian, client_for):
    from zhanyi.screening.actions import do_record_outcome

    do_record_outcome(
        tasks["王芳"], acting_user=world.commander, outcome="not_in_city", current_location="福州"
    )
    response = client_for(world.commander).get(f"/screening/sources/{putian.pk}/reply.xlsx")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert [r[0] for r in rows[1:]] == ["王芳"]
    assert rows[1][4] == "福州"
    assert (
        client_for(world.village_member)
        .get(f"/screening/sources/{putian.pk}/reply.xlsx")
        .status_code
        == 403
    )


def test_a_sources_column_mapping_is_saved_from_the_form(world, putian, client_for):
    client = client_for(world.commander)
    response = client.post(
        f"/screening/sources/{putian.pk}/",
        {
            "name": "莆田市协查",
            "origin_city": "莆田市",
            "map_name": "人员姓名",
            "map_phone": "电话号",
        },
    )
    assert response.status_code == 302
    putian.refresh_from_db()
    assert putian.column_mapping == {"name": "人员姓名", "phone": "电话号"}
    from zhanyi.core.models import AuditEvent

    change = AuditEvent.objects.get(action="screening.source.change")
    assert change.detail["before"] == {
        "name": "莆田市协查",
        "origin_city": "莆田市",
        "column_mapping": {},
    }


def test_a_county_user_cannot_rename_the_city_wide_source(world, putian, client_for):
    """Issue 14, finding 15: a county's staff renamed a source every county reads from."""
    response = client_for(world.tracer).post(
        f"/screening/sources/{putian.pk}/", {"name": "改名", "origin_city": "莆田市"}
    )
    assert response.status_code == 403
    putian.refresh_from_db()
    assert putian.name == "莆田市协查"


def test_the_door_to_door_source_cannot_be_renamed_from_the_source_form(world, client_for):
    from zhanyi.screening.actions.campaign import DOOR_TO_DOOR_SOURCE, door_to_door_source

    source = door_to_door_source()
    client = client_for(world.tracer)
    assert client.get(f"/screening/sources/{source.pk}/").status_code == 404
    response = client.post(f"/screening/sources/{source.pk}/", {"name": "改名"})
    assert response.status_code == 404
    source.refresh_from_db()
    assert source.name == DOOR_TO_DOOR_SOURCE


def test_every_page_renders_in_chinese_by_default(world, tasks, putian):
    from django.test import Client

    from zhanyi.screening.actions import do_start_campaign

    campaign = do_start_campaign(
        acting_user=world.commander, name="家家访", villages=[world.village]
    )
    client = Client()
    client.force_login(world.commander)
    task = tasks["陈建国"]
    pages = [
        "/screening/",
        "/screening/upload/",
        "/screening/sources/new/",
        f"/screening/sources/{putian.pk}/",
        "/screening/review/",
        "/screening/tasks/?show=manual",
        "/screening/tasks/?show=closed",
        f"/screening/tasks/{task.pk}/",
        "/screening/supervision/",
        "/screening/campaigns/",
        f"/screening/campaigns/{campaign.pk}/",
        f"/screening/lists/{PushList.objects.exclude(file_format='visit').get().pk}/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "协查人员排查" in client.get("/screening/").content.decode()


def test_reading_a_task_list_is_audited(world, tasks, client_for):
    from zhanyi.core.models import AuditEvent

    client_for(world.village_member).get("/screening/tasks/")
    event = AuditEvent.objects.get(action="screening.list.tasks")
    assert event.detail["ids"] == [tasks["陈建国"].pk]


def test_an_unreadable_upload_fails_its_job_with_the_reason_and_stores_nothing(
    world, index, putian, client_for
):
    client = client_for(world.tracer)
    client.post(
        "/screening/upload/",
        {"source": putian.pk, "file": SimpleUploadedFile("莆田.xlsx", b"not a workbook")},
    )
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert "xlsx" in job.message
    page = client.get(f"/screening/jobs/{job.pk}/").content.decode()
    assert job.message in page.replace("&#x27;", "'")
    assert PushList.objects.count() == 0


def test_the_desks_breakdowns_are_shared_for_a_few_seconds_and_fresh_on_demand(
    world, tasks, putian, client_for, tmp_path
):
    from zhanyi.screening.models import PushSource

    def people_by(rows) -> dict:
        return {r["label"]: r["people"] for r in rows}

    client = client_for(world.commander)
    before = people_by(client.get("/screening/").context["by_source"])
    assert before == {"莆田市协查": 3}
    # A new list arrives: the desk shows the shared breakdown until refreshed.
    xiamen = PushSource.objects.create(name="厦门市协查", origin_city="厦门市")
    path = write_file(tmp_path, "b.csv", csv_bytes([row_for(world, "林秀英")]))
    do_import_push_list(xiamen, path, filename="b.csv", acting_user=world.commander)
    assert people_by(client.get("/screening/").context["by_source"]) == before
    fresh = client.get("/screening/?fresh=1").context
    assert people_by(fresh["by_source"]) == {"莆田市协查": 3, "厦门市协查": 1}
    assert fresh["by_area"] and {r["label"] for r in fresh["by_area"]} <= {
        world.county.name,
        world.other_county.name,
    }
    # A county's desk reads its own area's breakdown, not the city's warm one.
    county = client_for(world.tracer).get("/screening/").context["by_area"]
    assert county and {r["label"] for r in county} <= {world.township.name}
    assert client_for(world.tracer).get("/screening/?fresh=maybe").status_code == 400


def test_a_job_no_worker_has_started_says_so_instead_of_queued_for_ever(
    world, putian, client_for, api_for, settings
):
    """Issue 14, finding 2: with no worker running, the job page and the API say
    that no worker has taken the import, once it has waited too long."""
    import datetime as dt

    job = ImportJob.objects.create(
        source=putian, filename="a.csv", path="/nonexistent", created_by=world.tracer
    )
    settings.JOB_STALLED_AFTER_S = 120
    page = client_for(world.tracer).get(f"/screening/jobs/{job.pk}/").content.decode()
    assert "No background worker" not in page
    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - dt.timedelta(minutes=5))
    page = client_for(world.tracer).get(f"/screening/jobs/{job.pk}/").content.decode()
    assert "No background worker has started this import for 5 minutes" in page
    body = api_for(world.tracer).get(f"/api/v1/screening/jobs/{job.pk}/").json()
    assert body["stalled"] and body["status"] == "queued"
    assert "zhanyi worker" in body["stalled_message"]


def test_an_import_whose_worker_was_killed_ends_failed_and_its_files_are_removed(
    world, putian, client_for, tmp_path
):
    """Issue 14, finding 4: a worker killed while storing left the job "storing"
    for ever and its files behind. The periodic job finds the dead process."""
    import os
    import signal
    import socket
    import subprocess

    from zhanyi.core.periodic import jobs as periodic_jobs
    from zhanyi.screening import jobs
    from zhanyi.screening.actions.intake import staging_path, unclaimed_error_file
    from zhanyi.screening.reading import hash_file

    victim = subprocess.Popen(["sleep", "60"])
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    upload = jobs.bridge.snapshot_dir() / "uploads" / "killed.csv"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(csv_bytes([row_for(world, "陈建国")]))
    killed = ImportJob.objects.create(
        source=putian,
        filename="killed.csv",
        path=str(upload),
        created_by=world.tracer,
        status=ImportJob.Status.STORING,
        worker=f"{socket.gethostname()}:{victim.pid}",
    )
    with upload.open("rb") as fh:
        error_file = unclaimed_error_file(hash_file(fh))
    leftovers = [upload, staging_path(jobs.staging_name(killed)), error_file]
    for path in leftovers[1:]:
        path.write_bytes(b"partial")
    alive = ImportJob.objects.create(
        source=putian,
        filename="alive.csv",
        path=str(tmp_path / "alive.csv"),
        created_by=world.tracer,
        status=ImportJob.Status.STORING,
        worker=jobs.worker_name(),
    )
    (tmp_path / "alive.csv").write_bytes(b"x")

    (reaper,) = [j for j in periodic_jobs() if j.name == "screening.fail_abandoned_imports"]
    reaper.fn(None)

    killed.refresh_from_db()
    assert killed.status == "failed" and "killed or crashed" in killed.message
    assert not any(path.exists() for path in leftovers)
    alive.refresh_from_db()
    assert alive.status == "storing" and (tmp_path / "alive.csv").exists()
    page = client_for(world.tracer).get(f"/screening/jobs/{killed.pk}/").content.decode()
    assert "nothing of it was stored" in page
