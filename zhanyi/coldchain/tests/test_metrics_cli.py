from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhanyi.coldchain import actions
from zhanyi.coldchain.models import Batch
from zhanyi.core.metrics import compute

from .factories import batch, store

pytestmark = pytest.mark.django_db


def _figures(area):
    return {
        f["name"]: f["value"] for f in compute(None, area) if f["name"].startswith("coldchain.")
    }


def test_the_figures_follow_the_actions(world):
    s = store(world.county)
    batch(s, "A", tonnes="10.25")
    batch(s, "B", documents={}, tonnes="4")
    actions.do_release_complete_batches(Batch.objects.all(), acting_user=world.tracer)
    figures = _figures(world.county)
    assert figures["coldchain.batches"] == 2 and figures["coldchain.tonnes"] == 14.2
    assert figures["coldchain.held"] == 1 and figures["coldchain.released"] == 1
    assert _figures(world.other_county)["coldchain.batches"] == 0


def test_the_command_line_refuses_a_release_without_documents(world):
    out = StringIO()
    call_command(
        "coldchain", "store", "create", "命令冷库", "--area", world.county.code, stdout=out
    )
    call_command(
        "coldchain",
        "batch",
        "add",
        "CLI1",
        "--product",
        "猪肉",
        "--origin",
        "巴西",
        "--tonnes",
        "3",
        "--store",
        "命令冷库",
        "--arrived",
        "2021-09-14",
        "--doc",
        "inspection_certificate=J1",
        stdout=out,
    )
    with pytest.raises(CommandError) as refused:
        call_command("coldchain", "release", "CLI1")
    assert "missing the nucleic-acid report, disinfection certificate, traceability code" in str(
        refused.value
    )
    call_command(
        "coldchain",
        "documents",
        "CLI1",
        "nucleic_acid_report=H",
        "disinfection_certificate=X",
        "traceability_code=Z",
        stdout=out,
    )
    call_command("coldchain", "release", "CLI1", stdout=out)
    listed = StringIO()
    call_command("coldchain", "list", "--json", stdout=listed)
    assert json.loads(listed.getvalue())[0]["state"] == "released"
