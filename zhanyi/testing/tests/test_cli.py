"""``zhanyi testing …``: round create, results import FILE, coverage, pool-size."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from zhanyi.core.models import AuditEvent
from zhanyi.testing.models import TestingRound, Tube

from .factories import deliver_and_receive, lab, people, round_, scan, site


def run(*args) -> str:
    out = io.StringIO()
    call_command("testing", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_round_create_makes_a_round_of_everyone_in_the_area(world):
    people(world.village, 3)
    text = run(
        "round",
        "create",
        "芗城区第一轮",
        "--area",
        world.county.code,
        "--from",
        "2021-09-12 08:00",
        "--to",
        "2021-09-14 08:00",
        "--pool-size",
        "5",
    )
    r = TestingRound.objects.get()
    assert f"round {r.pk} created" in text and "3 people" in text
    assert r.pool_size == 5 and r.starts_at.isoformat() == "2021-09-12T00:00:00+00:00"
    assert AuditEvent.objects.get(action="testing.round_create").actor_name.startswith("cli:")


def test_round_create_names_a_bad_pool_size_and_an_unknown_area(world):
    with pytest.raises(CommandError, match="pool_size"):
        run(
            "round",
            "create",
            "x",
            "--area",
            world.county.code,
            "--from",
            "2021-09-12 08:00",
            "--to",
            "2021-09-13 08:00",
            "--pool-size",
            "7",
        )
    with pytest.raises(CommandError, match="no area with code '999'"):
        run(
            "round",
            "create",
            "x",
            "--area",
            "999",
            "--from",
            "2021-09-12 08:00",
            "--to",
            "2021-09-13 08:00",
        )
    assert not TestingRound.objects.exists()


def test_results_import_stores_the_good_rows_and_exits_non_zero_naming_the_bad(world, tmp_path):
    ps = people(world.village, 2)
    r = round_([world.village], pool_size=1)
    s = site(world.village)
    lb = lab(world.city)
    scan("CLI00001", ps[:1], site=s, round=r)
    scan("CLI00002", ps[1:], site=s, round=r)
    deliver_and_receive(s, lb, ["CLI00001", "CLI00002"])
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    f = tmp_path / "lab.csv"
    f.write_text(f"barcode,result,tested_at\nCLI00001,negative,{now}\nCLI00002,??,{now}\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 row"):
        call_command(
            "testing",
            "results",
            "import",
            str(f),
            "--lab",
            lb.code,
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "line 3, result" in err.getvalue()
    assert Tube.objects.get(barcode="CLI00001").result == "negative"
    assert Tube.objects.get(barcode="CLI00002").result == ""


def test_results_import_of_a_missing_file_or_lab_is_a_clear_error(world, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("results", "import", str(tmp_path / "nope.csv"), "--lab", "X")
    f = tmp_path / "a.csv"
    f.write_text("barcode,result,tested_at\n")
    with pytest.raises(CommandError, match="no laboratory"):
        run("results", "import", str(f), "--lab", "NOLAB")


def test_coverage_prints_each_area_and_json_on_request(world):
    ps = people(world.village, 2)
    people(world.village2, 1)
    r = round_([world.township], pool_size=5)
    s = site(world.village)
    lb = lab(world.city)
    scan("COV00001", ps, site=s, round=r)
    deliver_and_receive(s, lb, ["COV00001"])
    from .factories import report

    report(lb, {"COV00001": "negative"})
    text = run("coverage", str(r.pk), "--level", "village")
    assert world.village.name in text and "total" in text
    data = json.loads(run("coverage", str(r.pk), "--json"))
    assert data["total"]["tested"] == 2 and data["total"]["due"] == 1


def test_pool_size_recommends_and_simulates(world):
    text = run(
        "pool-size", "--prevalence", "0.01", "--population", "1083000", "--simulate", "100000"
    )
    assert "recommended 10-in-1" in text and "simulation of 100,000 people" in text
    with pytest.raises(CommandError, match="between 0 and 1"):
        run("pool-size", "--prevalence", "3")


def test_a_schedule_is_created_and_run_forward_from_the_command_line(world):
    people(world.village, 2)
    text = run(
        "schedule",
        "create",
        "港口工人",
        "--area",
        world.village.code,
        "--every",
        "2",
        "--from",
        "2021-09-12 08:00",
        "--to",
        "2021-09-20 08:00",
        "--pool-size",
        "5",
    )
    sid = int(text.split()[1])
    made = run("schedule", "run", str(sid), "--until", "2021-09-15 08:00")
    assert made.count("round ") == 2 and "2 people" in made
    assert run("schedule", "run", str(sid), "--until", "2021-09-15 08:00") == "no new rounds\n"
    with pytest.raises(CommandError, match="no schedule 999"):
        run("schedule", "run", "999", "--until", "2021-09-15 08:00")
