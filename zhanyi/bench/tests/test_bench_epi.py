"""``zhanyi bench epi`` runs on a small size and prints its figures as JSON."""

from __future__ import annotations

import io
import json

from django.core.management import call_command


def test_it_prints_the_timings_as_one_json_line():
    out = io.StringIO()
    call_command("bench", "epi", "--series", "20", "--days", "60", "--repeat", "1", stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["bench"] == "epi" and figures["series"] == 20 and figures["days"] == 60
    assert {"rt_s", "rt_cpu_s", "doubling_s", "projection_s", "total_s"} <= set(figures)
