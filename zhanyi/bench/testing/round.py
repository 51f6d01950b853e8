"""The measured round of bench testing: create, register, deliver, ingest, coverage."""

from __future__ import annotations

import datetime as dt
import time
from typing import TextIO

from zhanyi.bench.city import say

from .preparation import ACTOR, bench_user, settle, sites_and_labs


def run_round(options: dict, people_ids, village_list, out: TextIO) -> dict:
    """Time one round of ``options["pool_size"]``-in-1 for ``people_ids`` end to
    end through the testing app's actions, and return its figures."""
    from zhanyi.places.models import Area
    from zhanyi.testing import actions
    from zhanyi.testing.models import DeliveryBatch

    k = options["pool_size"]
    sites, labs = sites_and_labs(village_list)
    settle(out)
    city = Area.objects.get(code=options["city"])
    user = bench_user(city)
    run_tag = f"{int(time.time())}"
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=6)
    timings: dict[str, float] = {}
    uploads = _tube_uploads(people_ids, sites, k, start, run_tag)

    t = time.perf_counter()
    r = actions.do_create_round(
        acting_user=ACTOR,
        name=f"基准全员核酸 {run_tag}",
        kind="whole_population",
        scope_areas=[city],
        starts_at=start,
        ends_at=start + dt.timedelta(days=2),
        pool_size=k,
    )
    timings["create_round_s"] = time.perf_counter() - t
    t = time.perf_counter()
    imported = actions.do_import_samples(acting_user=ACTOR, round=r, tubes=uploads)
    timings["register_samples_s"] = time.perf_counter() - t
    say(
        out,
        f"  samples: {imported.samples:,} in {imported.tubes:,} tubes "
        f"({len(imported.refused)} refused) in {timings['register_samples_s']:.1f}s",
    )

    t = time.perf_counter()
    _deliver_and_receive(uploads, labs, options["box"], start, run_tag)
    timings["deliver_receive_s"] = time.perf_counter() - t

    positives, payloads = _lab_files(r, uploads, labs, options["positives"], start)
    t = time.perf_counter()
    imports = _ingest_results(labs, payloads)
    timings["ingest_results_s"] = time.perf_counter() - t
    stored = sum(i.stored for i in imports)
    say(
        out,
        f"  results: {stored:,} tubes stored, {sum(i.positives for i in imports)} positive, "
        f"{sum(i.refused for i in imports)} refused, in {timings['ingest_results_s']:.1f}s",
    )

    t = time.perf_counter()
    total, rows, due, retests = _coverage_and_retests(user, r)
    timings["coverage_retests_s"] = time.perf_counter() - t
    # The round's time is the sum of the measured stages (inputs excluded).
    round_s = sum(timings.values())
    say(
        out,
        f"  coverage: {total.tested:,}/{total.targets:,} tested over {len(rows)} villages, "
        f"{due:,} due, {len(retests)} to re-sample; in {timings['coverage_retests_s']:.1f}s",
    )
    say(out, f"round end to end: {round_s:.1f}s")
    assert total.tested == len(people_ids), "every sampled person should count as tested"
    return {
        "round_id": r.pk,
        "tubes": stored,
        "positive_tubes": len(positives),
        "retests": len(retests),
        "round_s": round(round_s, 2),
        **{key: round(v, 2) for key, v in timings.items()},
        "_batches": DeliveryBatch.objects.filter(code__startswith=f"BOX{run_tag}").count(),
    }


def _tube_uploads(people_ids, sites: dict[int, int], k: int, start: dt.datetime, run_tag: str):
    """The phones' uploads (input, not measured): tubes of ``k`` people of one
    village each, sampled over the first four hours."""
    from zhanyi.testing import actions

    uploads = []
    by_village: dict[int, list[int]] = {}
    for pid, vid in people_ids:
        by_village.setdefault(vid, []).append(pid)
    n = 0
    for vid, pids in by_village.items():
        for i in range(0, len(pids), k):
            sampled = start + dt.timedelta(seconds=(n % 14_400))
            uploads.append(
                actions.TubeUpload(
                    barcode=f"B{run_tag}-{n:07d}",
                    site_id=sites[vid],
                    person_ids=tuple(pids[i : i + k]),
                    sampled_at=sampled,
                    closed_at=sampled,
                )
            )
            n += 1
    return uploads


def _deliver_and_receive(uploads, labs: list, box: int, start: dt.datetime, run_tag: str) -> None:
    """Delivery in boxes of ``box`` tubes per site, to the labs in turn; each box signed for."""
    from zhanyi.testing import actions
    from zhanyi.testing.models import SamplingSite

    by_site: dict[int, list[str]] = {}
    for u in uploads:
        by_site.setdefault(u.site_id, []).append(u.barcode)
    site_objs = {
        s.pk: s for s in SamplingSite.objects.filter(pk__in=list(by_site)).select_related("area")
    }
    box_no = 0
    for site_id, barcodes in by_site.items():
        for i in range(0, len(barcodes), box):
            lab = labs[box_no % len(labs)]
            delivered = start + dt.timedelta(hours=4, minutes=box_no % 60)
            batch = actions.do_deliver(
                acting_user=ACTOR,
                site=site_objs[site_id],
                lab=lab,
                barcodes=barcodes[i : i + box],
                code=f"BOX{run_tag}-{box_no}",
                delivered_at=delivered,
            )
            actions.do_receive_batch(
                batch, acting_user=ACTOR, received_at=delivered + dt.timedelta(minutes=40)
            )
            box_no += 1


def _lab_files(
    round_, uploads, labs: list, n_positives: int, start: dt.datetime
) -> tuple[set[str], dict[str, bytes]]:
    """The labs' result files (input, not measured): one CSV per lab, with
    ``n_positives`` positive pools; returns the positive barcodes and the files."""
    from zhanyi.testing.models import Tube

    positives = {u.barcode for u in uploads[:: max(1, len(uploads) // max(1, n_positives))]}
    positives = set(list(positives)[:n_positives])
    lab_of = dict(Tube.objects.filter(round=round_).values_list("barcode", "batch__lab__code"))
    tested = (start + dt.timedelta(hours=5)).isoformat()
    files: dict[str, list[str]] = {
        lab.code: ["barcode,result,tested_at,reported_at"] for lab in labs
    }
    for u in uploads:
        result = "positive" if u.barcode in positives else "negative"
        files[lab_of[u.barcode]].append(f"{u.barcode},{result},{tested},{tested}")
    return positives, {code: "\n".join(lines).encode() for code, lines in files.items()}


def _ingest_results(labs: list, payloads: dict[str, bytes]) -> list:
    """Read and store each lab's file (measured)."""
    from zhanyi.testing import actions

    imports = []
    for lab in labs:
        rows, problems = actions.parse_results_csv(payloads[lab.code])
        imports.append(
            actions.do_record_results(
                acting_user=ACTOR,
                lab=lab,
                rows=rows,
                via="file",
                filename=f"{lab.code}.csv",
                parse_problems=problems,
            )
        )
    return imports


def _coverage_and_retests(user, round_):
    """Coverage by village, how many are still due, and the re-test list."""
    from zhanyi.testing import queries

    total, rows = queries.coverage(user, round_, level="village")
    due = queries.not_yet_tested(user, round_).count()
    retests = list(queries.retest_list(user, round_).values_list("person_id", flat=True))
    return total, rows, due, retests
