from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from zhanyi.core.models import AuditEvent
from zhanyi.zones.models import Zone, ZoneState

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("zones", *args, stdout=out)
    return out.getvalue()


def test_propose_approve_list_and_notice_from_the_command_line(world):
    line = run(
        "propose", "sealed", "东铺头封控区", "--reason", "病例居住", "--area", world.village.code
    )
    zone = Zone.objects.get(pk=int(line.split("\t")[0]))
    run("approve", str(zone.pk))
    assert Zone.objects.get(pk=zone.pk).state == ZoneState.IN_FORCE
    listed = json.loads(run("list", "--json"))
    assert listed[0]["id"] == zone.pk and listed[0]["days_to_lifting"] == 14
    assert "封控区" in run("notice", str(zone.pk))
    assert AuditEvent.objects.filter(action="zones.approve", actor_name__startswith="cli:").exists()


def test_a_refusal_is_one_line(world):
    with pytest.raises(CommandError, match="Say why the zone is needed"):
        run("propose", "sealed", "x", "--area", world.village.code)
    with pytest.raises(CommandError, match="no area with code 999"):
        run("propose", "sealed", "x", "--reason", "y", "--area", "999")
    line = run("propose", "controlled", "y", "--reason", "y", "--area", world.village.code)
    run("approve", line.split("\t")[0])
    with pytest.raises(CommandError, match=r"14 more day\(s\) without a new case"):
        run("lift", line.split("\t")[0], "--reason", "z")
