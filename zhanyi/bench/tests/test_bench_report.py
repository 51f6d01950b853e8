"""``zhanyi bench report`` on the test world: it times the report and its files,
keeps no report, and prints the issue's keys."""

import json
from io import StringIO

from django.core.management import call_command


def test_the_report_bench_prints_the_issues_keys_and_keeps_no_report(transactional_db):
    from zhanyi.accounts.testing import build_world
    from zhanyi.command.models import Report

    build_world()
    out = StringIO()
    call_command("bench", "report", "--screens", "2", "--refreshes", "2", stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    keys = ["bench", "people", "snapshot_s", "docx_s", "pdf_s", "xlsx_s", "screen_p95_ms"]
    assert list(figures)[: len(keys)] == keys
    assert figures["bench"] == "report" and figures["areas"] == 3
    for fmt in ("docx", "pdf", "xlsx"):
        assert figures[f"{fmt}_cpu_s"] > 0
    assert figures["imports_s"] >= 0
    assert not Report.objects.exists()
