"""The first day: the page and `zhanyi status` list what is loaded and missing,
the administrator loads the city's files on the page (the API's loads:
test_setup_api.py)."""

import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings

from zhanyi.core import testing as in_english
from zhanyi.places.models import Area, DataLoad, Place

# The messages read in English (the command app's other tests read Chinese).
english, client, api_for = in_english.english, in_english.client, in_english.api_for

CODES = "统计用区划代码,名称,城乡分类代码\n350602001003,新村社区,111\n350699001000,无名镇,\n"


def test_the_page_shows_what_is_loaded_and_what_is_missing(world, client):
    client.force_login(world.admin)
    page = client.get("/setup/").content.decode()
    assert 'id="check-areas"' in page and 'id="check-people"' in page
    assert "No people: load the population register." in page
    assert "No headquarters is set up." in page
    assert "zhanyi places import-places FILE" in page
    assert 'href="/setup/boundaries/"' in page and 'href="/accounts/staff/"' in page
    assert 'href="/people/register/"' in page and 'href="/tracing/feeds/"' in page


def test_a_leader_and_a_field_member_are_refused(world, client):
    for user in (world.leader, world.village_member):
        client.force_login(user)
        assert client.get("/setup/").status_code == 403
        assert client.get("/setup/areas/").status_code == 403


def test_the_administrator_loads_codes_and_sees_the_refused_rows(world, client):
    client.force_login(world.admin)
    upload = SimpleUploadedFile("codes.csv", CODES.encode("gbk"))
    response = client.post("/setup/areas/", {"file": upload})
    load = DataLoad.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/setup/loads/{load.pk}/"
    assert Area.objects.filter(code="350602001003", parent__code="350602001").exists()
    page = client.get(f"/setup/loads/{load.pk}/").content.decode()
    assert "Its parent 350699 is not loaded" in page
    errors = client.get(f"/setup/loads/{load.pk}/errors.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(errors.content)).active.values)
    assert rows[1][1] == "无名镇"


def test_a_county_administrator_cannot_load_another_county(world, client):
    # The world's administrator works for the city; one for 龙海区 only:
    from zhanyi.accounts.testing import make_user

    county_admin = make_user("county-admin", "admin", world.other_county)
    client.force_login(county_admin)
    upload = SimpleUploadedFile(
        "places.csv", f"名称,类别,区划代码\n芗城小学,学校,{world.village.code}\n".encode()
    )
    client.post("/setup/places/", {"file": upload})
    load = DataLoad.objects.get()
    assert load.refused == 1 and load.area == world.other_county
    assert "Outside your jurisdiction." in load.problems[0]["message"]
    assert not Place.objects.exists()
    # And the city's administrator sees the load; 龙海's another county's does not.
    client.force_login(world.admin)
    assert client.get(f"/setup/loads/{load.pk}/").status_code == 200


def test_a_file_that_cannot_be_read_is_said_on_the_form(world, client):
    client.force_login(world.admin)
    upload = SimpleUploadedFile("codes.pdf", b"%PDF")
    page = client.post("/setup/areas/", {"file": upload}).content.decode()
    assert "cannot be loaded here" in page
    assert not DataLoad.objects.exists()


def test_the_api_lists_the_checks(world, api_for):
    api = api_for(world.admin)
    states = {c["key"]: c["state"] for c in api.get("/api/v1/command/setup/status/").json()}
    assert states["areas"] == "done" and states["people"] == "missing"
    assert states["protocol"] == "done"
    assert api_for(world.leader).get("/api/v1/command/setup/status/").status_code == 403


@pytest.mark.django_db
def test_zhanyi_status_lists_every_check(tmp_path, capsys):
    with override_settings(DATA_DIR=tmp_path):
        call_command("status")
        out = capsys.readouterr().out
        assert "✗ Areas (division codes)" in out and "zhanyi places import-areas FILE" in out
        assert "of 8 loaded" in out
        call_command("status", "--json")
        keys = [c["key"] for c in json.loads(capsys.readouterr().out)]
    assert keys == [
        "areas",
        "boundaries",
        "people",
        "places",
        "staff",
        "headquarters",
        "protocol",
        "feeds",
    ]
