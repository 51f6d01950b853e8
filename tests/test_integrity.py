"""``zhanyi integrity``: dangling ids in keys without a database constraint are reported."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from zhanyi.core.integrity import unconstrained_keys
from zhanyi.handoffs.models import Handoff
from zhanyi.people.models import Person

pytestmark = pytest.mark.django_db


def test_the_keys_are_found_from_the_models():
    names = {f"{f.model._meta.label}.{f.name}" for f in unconstrained_keys()}
    assert {
        "handoffs.Handoff.person",
        "handoffs.Handoff.area",
        "tracing.Contact.person",
        "tracing.Contact.area",
        "tracing.Contact.via",
        "tracing.Contact.case",
        "people.HealthCode.person",
        "people.HealthCodeChange.person",
        "testing.Sample.person",
        "testing.RoundTarget.round",
    } <= names
    # A key with a constraint is not listed.
    assert "tracing.Exposure.case" not in names


def test_a_clean_database_passes(world, capsys):
    Person.objects.create(name="甲", village=world.village)
    call_command("integrity")
    out = capsys.readouterr().out
    assert out.startswith("No dangling references") and "handoffs.Handoff.person" in out


def test_a_row_pointing_at_no_person_is_reported_and_the_command_fails(world, capsys):
    someone = Person.objects.create(name="乙", village=world.village)
    table = connection.ops.quote_name(Handoff._meta.db_table)
    with connection.cursor() as cursor:
        # Raw SQL, as a bulk path could write it: the database does not refuse it.
        cursor.execute(
            f"INSERT INTO {table} (key, kind, status, person_id, area_id, from_task_force, "
            "to_task_force, origin, due_at, detail, created_at, closed_by_name, outcome) "
            "VALUES (%s, 'control', 'open', %s, %s, 'investigation', 'community', 'x:1', %s, "
            "'{}', %s, '', '')",
            [
                "x:1:control",
                someone.pk + 1000,
                world.village.pk,
                dt.datetime(2021, 9, 17, tzinfo=dt.UTC),
                dt.datetime(2021, 9, 16, tzinfo=dt.UTC),
            ],
        )
    row = Handoff.objects.get(key="x:1:control")
    with pytest.raises(CommandError) as error:
        call_command("integrity")
    assert error.value.returncode == 1
    assert "1 dangling reference(s)" in str(error.value)
    out = capsys.readouterr().out
    assert (
        f"handoffs.Handoff.person: 1 row(s) point at no people.Person "
        f"(row {row.pk} → {someone.pk + 1000})"
    ) in out
    assert "handoffs.Handoff.area" not in out
