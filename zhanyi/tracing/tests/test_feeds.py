"""Location data feeds: operators' stay files into the companion store, by day, with refusals."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from zhanyi.core.audit import cli_actor
from zhanyi.core.models import AuditEvent
from zhanyi.core.testing import client, english  # noqa: F401  (English pages and messages)
from zhanyi.engine.companions import Store
from zhanyi.tracing.actions.feeds import (
    do_ingest_stay_feeds,
    do_purge_companions,
    feeds_dir,
    store_root,
)
from zhanyi.tracing.models import StayFile
from zhanyi.tracing.periodic import ingest_stay_feeds, purge_companions

pytestmark = pytest.mark.django_db
DAY = dt.date(2021, 9, 12)


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.STAY_FEEDS_DIR = ""


def stays_csv(day: dt.date = DAY, header: str = "person_id,cell_id,start,end") -> bytes:
    d = day.isoformat()
    lines = [
        header,
        f"1,100,{d}T08:00:00+08:00,{d}T12:00:00+08:00",
        f"2,100,{d}T09:00:00+08:00,{d}T10:00:00+08:00",
        f"3,101,{d}T10:00:00+08:00,{d}T09:00:00+08:00",  # ends before it starts
    ]
    return ("\n".join(lines) + "\n").encode()


def drop(name: str, data: bytes, operator: str = "") -> Path:
    folder = feeds_dir() / operator if operator else feeds_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def test_a_file_dropped_in_the_folder_is_ingested_and_recorded_by_day():
    drop("cm-2021-09-12.csv", stays_csv(), operator="中国移动")
    assert do_ingest_stay_feeds(acting_user=cli_actor(), min_age_s=0) == {
        "ingested": 1,
        "refused": 0,
    }
    record = StayFile.objects.get()
    assert (record.status, record.operator, record.via) == ("ingested", "中国移动", "folder")
    assert record.rows == 3 and record.stays == 2
    assert record.rejects == {"end_before_start": 1}
    assert record.days == ["2021-09-12"]
    assert DAY in Store(store_root()).days("stays")
    assert Path(record.path).is_file() and "ingested" in record.path
    assert not any(feeds_dir().rglob("*.csv"))
    assert AuditEvent.objects.filter(action="tracing.feeds.ingest").count() == 1


def test_a_file_still_being_copied_waits():
    drop("late.csv", stays_csv())
    assert do_ingest_stay_feeds(acting_user=cli_actor(), min_age_s=3600) == {
        "ingested": 0,
        "refused": 0,
    }
    assert not StayFile.objects.exists()


def test_wrong_columns_are_refused_with_the_expected_columns():
    drop("bad.csv", stays_csv(header="uid,cell,begin,finish"))
    do_ingest_stay_feeds(acting_user=cli_actor(), min_age_s=0)
    record = StayFile.objects.get()
    assert record.status == "refused"
    assert "uid, cell, begin, finish" in record.reason
    assert "person_id, cell_id, start, end" in record.reason
    assert not any(feeds_dir().rglob("*.csv"))
    assert AuditEvent.objects.filter(action="tracing.feeds.refuse").exists()


def test_the_same_file_twice_is_refused_the_second_time():
    drop("a.csv", stays_csv())
    do_ingest_stay_feeds(acting_user=cli_actor(), min_age_s=0)
    drop("a-again.csv", stays_csv())
    do_ingest_stay_feeds(acting_user=cli_actor(), min_age_s=0)
    second = StayFile.objects.get(filename="a-again.csv")
    assert second.status == "refused" and "same file" in second.reason


def test_the_scheduler_ingests_what_the_api_received(world, api_for):
    api = api_for(world.commander)
    answer = api.post(
        "/api/v1/tracing/feeds/",
        {"file": _named(stays_csv(), "u.csv"), "operator": "中国联通"},
        format="multipart",
    )
    assert answer.status_code == 202, answer.content
    assert answer.json()["status"] == "received"
    ingest_stay_feeds(dt.datetime(2021, 9, 13, tzinfo=dt.UTC))
    assert StayFile.objects.get().status == "ingested"
    days = api.get("/api/v1/tracing/feeds/days/").json()
    assert days[0]["ingested"] == 1 and days[0]["stays"] == 2
    bad = api.post(
        "/api/v1/tracing/feeds/",
        {"file": _named(stays_csv(header="a,b,c,d"), "bad.csv")},
        format="multipart",
    )
    assert bad.status_code == 400
    assert "person_id, cell_id, start, end" in str(bad.json()["file"])
    assert StayFile.objects.filter(status="refused").count() == 1
    listed = api.get("/api/v1/tracing/feeds/", {"day": StayFile.objects.first().arrived_on})
    assert len(listed.json()) == 2


def _named(data: bytes, name: str):
    fh = io.BytesIO(data)
    fh.name = name
    return fh


def test_the_feeds_are_refused_to_a_field_worker_and_a_leader(world, api_for, client_for):
    for user in (world.village_member, world.leader, world.outsider):
        assert api_for(user).get("/api/v1/tracing/feeds/").status_code == 403
        assert client_for(user).get("/tracing/feeds/").status_code == 403


def test_the_page_shows_the_day_and_takes_an_upload(world, client_for):
    staff = client_for(world.commander)
    answer = staff.post(
        "/tracing/feeds/", {"operator": "中国电信", "file": _named(stays_csv(), "t.csv")}
    )
    assert answer.status_code == 302
    do_ingest_stay_feeds(acting_user=cli_actor(), min_age_s=0)
    page = staff.get("/tracing/feeds/").content.decode()
    assert "t.csv" in page and "中国电信" in page and "ends before it starts" in page
    refused = staff.post("/tracing/feeds/", {"file": _named(b"x,y\n1,2\n", "x.csv")})
    assert refused.status_code == 200
    assert "person_id, cell_id, start, end" in refused.content.decode()


def test_the_purge_runs_by_itself_and_is_audited():
    drop("a.csv", stays_csv())
    do_ingest_stay_feeds(acting_user=cli_actor(), min_age_s=0)
    assert do_purge_companions(acting_user=cli_actor(), as_of=DAY + dt.timedelta(days=20)) == []
    purge_companions(dt.datetime(2021, 10, 5, 4, tzinfo=dt.UTC))  # 21 days later
    assert DAY not in Store(store_root()).days("stays")
    events = AuditEvent.objects.filter(action="tracing.companions.purge").order_by("id")
    assert [e.detail["days_removed"] for e in events] == [[], ["2021-09-12"]]
    assert events.last().actor_name == "scheduler"


def test_the_command_line_receives_lists_and_ingests(tmp_path):
    path = tmp_path / "cli.csv"
    path.write_bytes(stays_csv())
    out = io.StringIO()
    call_command("companions", "feed", str(path), "--operator", "中国移动", stdout=out)
    call_command("companions", "feeds", "--ingest", stdout=out)
    assert "1 ingested, 0 refused" in out.getvalue()
    call_command(
        "companions", "feeds", "--day", StayFile.objects.get().arrived_on.isoformat(), stdout=out
    )
    assert "cli.csv" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a,b\n1,2\n")
    with pytest.raises(CommandError, match="Expected columns"):
        call_command("companions", "feed", str(bad), stdout=out)
    call_command("companions", "purge", "--as-of", "2021-12-01", stdout=out)
    assert AuditEvent.objects.filter(action="tracing.companions.purge").exists()
