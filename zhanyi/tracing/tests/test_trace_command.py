"""``zhanyi trace``: cases, exposures, expansion and rules from the command line."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from zhanyi.core.models import AuditEvent
from zhanyi.tracing.models import Case, Contact

from .factories import person

pytestmark = pytest.mark.django_db


def trace(*args) -> str:
    out = StringIO()
    call_command("trace", *args, stdout=out)
    return out.getvalue()


def test_a_case_is_entered_exposed_expanded_and_listed(world):
    p, q = person(world.village), person(world.village)
    out = trace(
        "case",
        "create",
        "--person",
        str(p.pk),
        "--classification",
        "confirmed",
        "--onset",
        "2021-09-13",
        "--sampled",
        "2021-09-14T08:00",
        "--reported",
        "2021-09-14T20:00",
    )
    case = Case.objects.get(person=p)
    assert "report due 2021-09-14 22:00" in out
    trace(
        "exposure",
        "add",
        "--case",
        str(case.pk),
        "--person-b",
        str(q.pk),
        "--setting",
        "meal",
        "--at",
        "2021-09-13T12:00",
    )
    result = json.loads(trace("expand", "--case", str(case.pk), "--as-of", "2021-09-15T09:00"))
    assert result["new_close"] == 1
    assert Contact.objects.get().person == q
    assert f"close\t{q.pk}" in trace("contacts", "--case", str(case.pk))
    shown = json.loads(trace("case", "show", str(case.pk)))
    assert shown["contacts_by_kind"]["close"] == 1
    assert shown["investigation_overdue"] is True
    assert "OVERDUE" in trace("case", "list", "--overdue")
    assert AuditEvent.objects.filter(action="case.create", actor_name__startswith="cli:").exists()


def test_bad_input_is_a_clear_error_and_nothing_is_written(world):
    p = person(world.village)
    with pytest.raises(CommandError, match="reported_at"):
        trace(
            "case",
            "create",
            "--person",
            str(p.pk),
            "--classification",
            "confirmed",
            "--sampled",
            "2021-09-14T20:00",
            "--reported",
            "2021-09-14T08:00",
        )
    with pytest.raises(CommandError, match="no person 999999"):
        trace(
            "case",
            "create",
            "--person",
            "999999",
            "--classification",
            "confirmed",
            "--sampled",
            "2021-09-14T08:00",
            "--reported",
            "2021-09-14T20:00",
        )
    with pytest.raises(CommandError, match="not a time"):
        trace(
            "case",
            "create",
            "--person",
            str(p.pk),
            "--classification",
            "confirmed",
            "--sampled",
            "yesterday",
            "--reported",
            "2021-09-14T20:00",
        )
    assert not Case.objects.exists()


def test_a_bad_time_on_the_command_line_names_the_option_without_a_traceback(world, capsys):
    from zhanyi.tracing.management.commands.trace import Command

    p = person(world.village)
    argv = ["zhanyi", "trace", "case", "create", "--person", str(p.pk)]
    argv += ["--classification", "confirmed", "--sampled", "yesterday"]
    argv += ["--reported", "2021-09-14T20:00"]
    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(argv)
    assert exit_.value.code == 2
    assert "argument --sampled: not a time: 'yesterday'" in capsys.readouterr().err
    assert not Case.objects.exists()


def test_the_protocol_rules_are_shown_from_the_file():
    eight = json.loads(trace("protocol", "edition-8"))
    nine = json.loads(trace("protocol", "edition-9"))
    assert eight["exposure_days_before"] == 2 and nine["exposure_days_before"] == 4
    assert nine["quarantine"]["close"] == [["centralised", 7], ["home_health_monitoring", 3]]
    with pytest.raises(CommandError, match="edition-99"):
        trace("protocol", "edition-99")


def test_current_cases_are_written_for_the_companion_command(world, tmp_path):
    from .factories import case

    c = case(world.village)
    out = tmp_path / "cases.parquet"
    assert str(out) in trace("current-cases", "--out", str(out))
    import pyarrow.parquet as pq

    assert pq.read_table(out).column("person_id").to_pylist() == [c.person_id]


def test_a_suspected_case_is_entered_from_the_command_line(world):
    p = person(world.village)
    trace(
        "case",
        "create",
        "--person",
        str(p.pk),
        "--classification",
        "suspected",
        "--onset",
        "2021-09-13",
        "--sampled",
        "2021-09-14T08:00",
        "--reported",
        "2021-09-14T20:00",
    )
    assert Case.objects.get(person=p).classification == "suspected"
