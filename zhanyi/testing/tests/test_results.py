"""Results: negatives close the loop; a positive pool flags its people and asks for
single tubes; broken lab files; turnaround (a positive single tube becoming a
case is tests/test_positive_tube_becomes_case.py: it crosses to tracing)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhanyi.handoffs.models import Handoff
from zhanyi.testing import actions, queries
from zhanyi.testing.health_facts import facts
from zhanyi.testing.models import ResultImport, Tube

from .factories import (
    SYSTEM,
    deliver_and_receive,
    delivered_pool,
    lab,
    people,
    report,
    round_,
    scan,
    site,
)


@pytest.fixture
def pool(world):
    """A 10-in-1 tube of the village's people, delivered to and received by a lab."""
    return delivered_pool(world)


def test_a_negative_pool_counts_its_people_as_tested(world, pool):
    _ps, r, _s, lb = pool
    imp = report(lb, {"POOL0001": "negative"})
    assert (imp.stored, imp.refused, imp.positives) == (1, 0, 0)
    tube = Tube.objects.get(barcode="POOL0001")
    assert tube.status == "reported" and tube.result == "negative" and tube.reported_at
    total, _ = queries.coverage(world.commander, r)
    assert total.tested == 10 and total.due == 0
    assert not Handoff.objects.exists()


def test_a_positive_pool_flags_its_people_with_resample_and_isolation_handoffs(world, pool):
    ps, _r, _s, lb = pool
    report(lb, {"POOL0001": "positive"})
    resample = Handoff.objects.filter(kind="resample")
    assert {h.person_id for h in resample} == {p.pk for p in ps}
    assert {h.to_task_force for h in resample} == {"testing"}
    isolate = Handoff.objects.filter(kind="control", to_task_force="community")
    assert isolate.count() == 10
    fact = facts([ps[0].pk], timezone.now())[ps[0].pk]["tests"][0]
    assert fact.pooled and fact.result == "positive"
    assert queries.retest_list(world.commander).count() == 10
    # The same report again changes nothing.
    again = report(lb, {"POOL0001": "positive"})
    assert (again.stored, again.unchanged) == (0, 1)
    assert Handoff.objects.filter(kind="resample").count() == 10


def test_a_positive_pool_changes_the_health_codes_of_its_people(world, pool):
    from zhanyi.people.models import HealthCode  # the health-code engineer's model

    ps, _r, _s, lb = pool
    report(lb, {"POOL0001": "positive"})
    colours = set(HealthCode.objects.filter(person__in=ps).values_list("colour", flat=True))
    assert colours and "green" not in colours


def test_a_result_for_a_tube_never_delivered_is_refused(world):
    ps = people(world.village, 1)
    r = round_([world.village])
    s = site(world.village)
    lb = lab(world.city)
    scan("UNSENT01", ps, site=s, round=r)
    imp = report(lb, {"UNSENT01": "positive"})
    assert imp.stored == 0
    assert imp.problems == [
        {
            "field": "barcode",
            "code": "not_delivered",
            "message": "The tube was never delivered to a laboratory.",
            "row": 1,
            "value": "UNSENT01",
        }
    ]
    assert Tube.objects.get(barcode="UNSENT01").result == ""


def test_a_result_for_an_unknown_barcode_or_another_labs_tube_is_refused(world, pool):
    other = lab(world.city, "LAB2")
    imp = report(other, {"POOL0001": "negative", "MISSING1": "negative"})
    assert [(p["row"], p["code"]) for p in imp.problems] == [(1, "other_lab"), (2, "unknown")]
    assert Tube.objects.get(barcode="POOL0001").result == ""


def test_a_result_contradicting_a_stored_one_is_refused_and_the_first_kept(world, pool):
    _ps, _r, _s, lb = pool
    report(lb, {"POOL0001": "negative"})
    imp = report(lb, {"POOL0001": "positive"})
    assert imp.problems[0]["code"] == "conflict"
    assert Tube.objects.get(barcode="POOL0001").result == "negative"


def test_a_lab_file_with_broken_rows_stores_the_good_rows_and_reports_the_rest(world):
    ps = people(world.village, 3)
    r = round_([world.village], pool_size=1)
    s = site(world.village)
    lb = lab(world.city)
    for i, p in enumerate(ps):
        scan(f"FILE000{i}", [p], site=s, round=r)
    deliver_and_receive(s, lb, ["FILE0000", "FILE0001", "FILE0002"])
    now = timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M")
    text = (
        "barcode,result,tested_at\n"
        f"FILE0000,阴性,{now}\n"
        f"FILE0001,maybe,{now}\n"
        "FILE0002,negative,yesterday\n"
        f"GHOST999,negative,{now}\n"
    )
    rows, problems = actions.parse_results_csv(text.encode())
    imp = actions.do_record_results(
        acting_user=SYSTEM,
        lab=lb,
        rows=rows,
        via="file",
        filename="lab.csv",
        parse_problems=problems,
    )
    assert (imp.rows, imp.stored, imp.refused) == (4, 1, 3)
    assert [(p["row"], p["field"]) for p in imp.problems] == [
        (3, "result"),
        (4, "tested_at"),
        (5, "barcode"),
    ]
    assert Tube.objects.get(barcode="FILE0000").result == "negative"
    assert Tube.objects.get(barcode="FILE0001").result == ""
    assert ResultImport.objects.get().filename == "lab.csv"


def test_a_lab_file_without_the_needed_columns_stores_nothing(world):
    rows, problems = actions.parse_results_csv(b"code,outcome\nX,negative\n")
    assert rows == [] and problems[0].field == "header"
    assert "barcode" in problems[0].message


def test_turnaround_is_measured_per_stage_per_site_and_per_lab(world):
    ps = people(world.village, 2)
    r = round_([world.village], pool_size=1)
    s = site(world.village)
    lb = lab(world.city)
    t0 = timezone.now() - dt.timedelta(hours=1)
    for i, p in enumerate(ps):
        actions.do_scan(
            acting_user=SYSTEM,
            barcode=f"TAT0000{i}",
            codes=[actions.qr_payload(p.pk)],
            site=s,
            round=r,
            sampled_at=t0,
        )
    batch = actions.do_deliver(
        acting_user=SYSTEM,
        site=s,
        lab=lb,
        barcodes=["TAT00000", "TAT00001"],
        delivered_at=t0 + dt.timedelta(minutes=30),
    )
    actions.do_receive_batch(batch, acting_user=SYSTEM, received_at=t0 + dt.timedelta(minutes=45))
    rows = [
        actions.ResultRow(
            1, "TAT00000", "negative", t0 + dt.timedelta(minutes=50), t0 + dt.timedelta(minutes=60)
        ),
        actions.ResultRow(
            2, "TAT00001", "negative", t0 + dt.timedelta(minutes=50), t0 + dt.timedelta(minutes=60)
        ),
    ]
    actions.do_record_results(acting_user=SYSTEM, lab=lb, rows=rows, via="api")
    (by_site,) = queries.turnaround(world.commander, r, by="site")
    assert by_site["name"] == s.name and by_site["tubes"] == 2
    assert by_site["sample_to_deliver"]["median_h"] == 0.5
    assert by_site["deliver_to_receive"]["median_h"] == 0.25
    assert by_site["chain"]["median_h"] == 1.0
    (by_lab,) = queries.turnaround(world.commander, r, by="lab")
    assert by_lab["name"] == lb.name
    assert queries.turnaround(world.other_county_staff, r) == []
