"""Test results as health-code facts (the testing app's provider).

Every reported tube a person was swabbed into is a ``TestFact``: pooled when
the tube held more than one swab. A positive pool is a pooled positive fact
until the person's single-tube re-test (a later non-pooled fact) decides.
"""

from __future__ import annotations

import datetime as dt

from zhanyi.engine.codes import TestFact
from zhanyi.people.health_facts import in_batches, provider
from zhanyi.testing.models import Sample

LOOKBACK_DAYS = 21


@provider("testing")
def facts(person_ids: list[int], now: dt.datetime) -> dict[int, dict[str, list]]:
    out: dict[int, dict[str, list]] = {}
    since = now - dt.timedelta(days=LOOKBACK_DAYS)
    # A range scan (dense ids) or IN lists; persons not asked for are skipped.
    wanted = set(person_ids)
    for batch in in_batches(Sample.objects.all(), sorted(wanted)):
        rows = (
            batch.filter(sampled_at__gte=since, sampled_at__lte=now)
            .exclude(tube__result="")
            .values_list(
                "person_id",
                "sampled_at",
                "tube__result",
                "tube__pool_size",
                "tube__reported_at",
                "tube__barcode",
            )
            .order_by("sampled_at", "id")
        )
        for pid, sampled_at, result, k, reported_at, barcode in rows:
            if pid not in wanted:
                continue
            out.setdefault(pid, {"tests": []})["tests"].append(
                TestFact(
                    sampled_at=sampled_at,
                    result=result,
                    pooled=k > 1,
                    reported_at=reported_at,
                    source=f"testing.tube:{barcode}",
                )
            )
    return out
