"""``zhanyi bench checkpoints`` with tiny numbers, on PostgreSQL: a real server
driven by wrk; every check it was told stored is in the database once, with its
audit record, and the last line carries the issue's figures."""

import json
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from zhanyi.core.db import dialect

pytestmark = pytest.mark.slow


def test_the_checks_told_stored_are_stored_once_and_audited(transactional_db):
    if not dialect.is_postgresql():
        pytest.skip("the bench runs against PostgreSQL")
    if shutil.which("wrk") is None:
        pytest.skip("the load tool wrk is not installed (make bench-tools)")
    out = StringIO()
    args = ["--seconds", "3", "--clients", "4", "--server-processes", "1"]
    call_command("bench", "checkpoints", *args, stdout=out)
    said = out.getvalue()
    figures = json.loads(said.strip().splitlines()[-1])
    assert {"bench", "stations", "check_rps", "check_p95_ms", "zone_proposal_s"} <= figures.keys()
    assert figures["bench"] == "checkpoints" and figures["stations"] == 69
    assert figures["checks_told_stored"] > 0 and figures["check_rps"] > 0, said
    assert 0 <= figures["stored_unanswered"] <= 4, said
    assert figures["doubled"] == 0 and figures["unaudited"] == 0, said
    assert figures["errors"] == 0 and "MISMATCH" not in said, said
    assert figures["resent"] >= 0 and figures["zone_proposal_s"] is not None
