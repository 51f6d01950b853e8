"""Issue 21's "done when", as a city's data staff would do it: the synthetic city
exported as a city's files (division codes, boundaries, places, the population
register, the staff sheet, operators' stay files), loaded through the importers
and the command line in the order docs/first-day.md gives, the first-day page
turning complete, the demo's replay of September 2021 run on top by the city's
own staff, then a backup taken and restored.

One test, because each step needs the ones before it; the smallest city the
replay's story fits in (the compound 万益学府花园 with a household of three)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from zhanyi.accounts.models import User
from zhanyi.command.demo import replay_on_loaded_city
from zhanyi.core.db import backup, dialect
from zhanyi.engine.synth import SynthConfig, generate
from zhanyi.people.models import Person
from zhanyi.places.models import Area, DataLoad, Place
from zhanyi.tracing.models import Case

# The journey replays the demo's whole story (a few minutes): it runs once, on
# PostgreSQL, the database a city runs on; each step's own tests run on both.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(not dialect.is_postgresql(), reason="run once, on PostgreSQL"),
]

PEOPLE = 1500
SEED = 7


def _status() -> dict[str, str]:
    out = io.StringIO()
    call_command("status", "--json", stdout=out)
    return {row["key"]: row["state"] for row in json.loads(out.getvalue())}


def test_a_new_city_loads_its_files_turns_complete_replays_and_restores(settings, tmp_path, client):
    settings.DATA_DIR = tmp_path / "data"
    settings.STAY_FEEDS_DIR = ""
    city_dir, files = tmp_path / "city", tmp_path / "files"
    generate(SynthConfig.for_scale(PEOPLE, seed=SEED), city_dir)
    out = io.StringIO()
    call_command("places", "export-city", str(city_dir), str(files), stdout=out)
    assert "people (the register)" in out.getvalue()
    assert set(_status().values()) == {"missing", "done"}  # only the protocol edition

    # Areas, boundaries, places: the statistics bureau's and the city's files.
    call_command("places", "import-areas", str(files / "divisions.csv"), stdout=out)
    call_command("places", "import-boundaries", str(files / "boundaries.geojson"), stdout=out)
    call_command("places", "import-places", str(files / "places.csv"), stdout=out)
    assert not DataLoad.objects.filter(refused__gt=0).exists()
    # The population register: everyone new on the first day, households formed.
    call_command("register", "load", str(files / "register.csv"), "--kind", "hukou", stdout=out)
    assert Person.objects.count() == PEOPLE
    # Headquarters before staff: the staff sheet names their task forces. The
    # codes are written as the statistics bureau writes them.
    city = Area.objects.get(level="city")
    call_command(
        "headquarters", "create", f"{city.name}疫情防控指挥部", "--area",
        "350600000000", "--kinds", "coordination", stdout=out,
    )  # fmt: skip
    call_command(
        "headquarters", "create", "台商投资区战疫指挥部", "--area", "350671000000",
        "--parent", "350600000000", stdout=out,
    )  # fmt: skip
    call_command("user", "import", str(files / "staff.csv"), stdout=out)
    assert "5 created" in out.getvalue() and "0 refused" in out.getvalue()
    commander = User.objects.get(role="commander")
    assert commander.jurisdiction == city and not commander.has_usable_password()
    feeds = sorted((files / "feeds").glob("stays-*.parquet"))
    assert len(feeds) == 14
    call_command("companions", "feed", *map(str, feeds), "--operator", "中国移动", stdout=out)
    call_command("companions", "feeds", "--ingest", stdout=out)
    assert "14 ingested, 0 refused" in out.getvalue()

    assert set(_status().values()) == {"done"}
    client.force_login(commander)
    page = client.get(reverse("command:setup")).content.decode()
    assert page.count('class="badge green"') == len(_status()) == 8, page

    # The demo's story on the city's own people and staff.
    replay = replay_on_loaded_city(seed=SEED, say=lambda _line: None)
    assert replay["tracing"]["cases"] == 3
    assert replay["tracing"]["companions"] > 0  # the feeds name the register's people
    assert replay["screening"]["records"] > 0
    assert not User.objects.filter(username__in=["commander", "tracer"]).exists()
    assert Person.objects.filter(merged_into=None).count() > PEOPLE  # pushed newcomers
    before = (Person.objects.count(), Case.objects.count(), Place.objects.count())

    archive = tmp_path / f"city{backup.suffix()}"
    call_command("backup", out=str(archive), stdout=out)
    Place.objects.create(name="备份之后", kind="other", area=city)
    Person.objects.filter(pk__in=Person.objects.values("pk")[:10]).update(name="改")
    call_command("restore", str(archive), yes=True, stdout=out)
    assert (Person.objects.count(), Case.objects.count(), Place.objects.count()) == before
    assert not Person.objects.filter(name="改").exists()
    assert set(_status().values()) == {"done"}
