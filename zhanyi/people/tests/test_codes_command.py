"""``zhanyi codes show|refresh|recompute`` and the refresh task."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from zhanyi.core.models import AuditEvent
from zhanyi.people.jobs import refresh_codes
from zhanyi.people.models import HealthCode

from .code_facts import HOUR
from .factories import make_person


def run(*args) -> str:
    out = StringIO()
    call_command("codes", *args, stdout=out)
    return out.getvalue()


def test_recompute_all_colours_every_person_with_facts(world, facts):
    contact = make_person(world.village)
    make_person(world.village, "李四")
    facts.close_contact(contact, exposed=timezone.now() - HOUR)
    result = json.loads(run("recompute", "--all").splitlines()[-1])
    assert (result["persons"], result["changed"]) == (2, 1)
    assert HealthCode.objects.get(person=contact).colour == "red"
    assert AuditEvent.objects.get(action="health_code.recompute").actor_name.startswith("cli:")


def test_show_explains_the_code_and_is_audited(world, facts):
    contact = make_person(world.village)
    facts.close_contact(contact, exposed=timezone.now() - HOUR)
    run("recompute", str(contact.pk), "--reason", "tracing: case 2")
    text = run("show", str(contact.pk))
    assert "RED" in text and "contact.close" in text and "tracing: case 2" in text
    answer = json.loads(run("show", str(contact.pk), "--json"))
    assert answer["facts"]["contacts"][0]["kind"] == "close"
    assert AuditEvent.objects.filter(action="health_code.view", detail__via="cli").count() == 2


def test_show_names_a_missing_person(world):
    with pytest.raises(CommandError, match="no person with id 424242"):
        run("show", "424242")


def test_recompute_needs_ids_or_all(world):
    with pytest.raises(CommandError, match="--all"):
        run("recompute")


def test_refresh_prints_what_it_did(world):
    result = json.loads(run("refresh"))
    assert result["changed"] == 0 and result["expired_overrides"] == 0


def test_the_refresh_task_runs(world):
    result = refresh_codes.enqueue()
    assert result.return_value == {"expired_overrides": 0, "reviewed": 0, "changed": 0}
