"""The testing API: scans, deliveries, receipts, results (JSON and file), rounds,
coverage, the due list, pool size; authentication and jurisdiction."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from zhanyi.core.models import AuditEvent
from zhanyi.testing import actions
from zhanyi.testing.models import Tube

from .factories import lab, people, round_, site

SCANS = "/api/v1/testing/scans/"


def _now() -> str:
    return timezone.now().isoformat()


def test_a_sampler_scans_a_whole_tube_in_one_request(world, api_for):
    ps = people(world.village, 10)
    r = round_([world.village])
    s = site(world.village)
    api = api_for(world.village_member)
    res = api.post(
        SCANS,
        {
            "tube": "API00001",
            "site": s.pk,
            "round": r.pk,
            "codes": [actions.qr_payload(p.pk) for p in ps],
        },
        format="json",
    )
    assert res.status_code == 201, res.content
    assert res.json()["closed"] is True and res.json()["samples"] == 10


def test_a_scan_with_bad_codes_answers_which_index_and_why(world, api_for):
    p = people(world.village, 1)[0]
    r = round_([world.village])
    s = site(world.village)
    res = api_for(world.tracer).post(
        SCANS,
        {
            "tube": "API00002",
            "site": s.pk,
            "round": r.pk,
            "codes": [actions.qr_payload(p.pk), actions.qr_payload(p.pk), "garbage!"],
        },
        format="json",
    )
    body = res.json()
    assert [(x["row"], x["code"]) for x in body["refused"]] == [(1, "duplicate"), (2, "unknown")]
    assert len(body["accepted"]) == 1


def test_a_scan_into_an_unknown_tube_without_a_site_is_a_400_naming_the_tube(world, api_for):
    res = api_for(world.tracer).post(SCANS, {"tube": "NOTHERE1", "codes": ["P1"]}, format="json")
    assert res.status_code == 400
    assert res.json()["problems"][0]["field"] == "tube"


def test_scanning_is_refused_to_the_anonymous_a_leader_an_outsider_and_another_county(
    world, api_for
):
    r = round_([world.village])
    s = site(world.village)
    body = {"tube": "API00003", "site": s.pk, "round": r.pk, "codes": []}
    assert APIClient().post(SCANS, body, format="json").status_code == 401
    assert api_for(world.leader).post(SCANS, body, format="json").status_code == 403
    assert api_for(world.outsider).post(SCANS, body, format="json").status_code == 403
    # The site is not in the other county: it does not exist for them.
    assert api_for(world.other_county_staff).post(SCANS, body, format="json").status_code == 404
    assert not Tube.objects.exists()


def _delivered(world, api, n=10, pool_size=10, barcode="LABT0001"):
    ps = people(world.village, n)
    r = round_([world.village], pool_size=pool_size)
    s = site(world.village)
    lb = lab(world.city)
    api.post(
        SCANS,
        {
            "tube": barcode,
            "site": s.pk,
            "round": r.pk,
            "codes": [actions.qr_payload(p.pk) for p in ps],
        },
        format="json",
    )
    res = api.post(
        "/api/v1/testing/deliveries/",
        {"site": s.pk, "lab": lb.code, "barcodes": [barcode], "code": "BOX-1"},
        format="json",
    )
    assert res.status_code == 201, res.content
    assert api.post("/api/v1/testing/deliveries/BOX-1/receive/").status_code == 200
    return ps, r, s, lb


def test_a_lab_reports_by_api_and_the_round_coverage_shows_it(world, api_for):
    api = api_for(world.tracer)
    _ps, r, _s, lb = _delivered(world, api)
    res = api.post(
        "/api/v1/testing/results/",
        {
            "lab": lb.code,
            "results": [{"barcode": "LABT0001", "result": "阴性", "tested_at": _now()}],
        },
        format="json",
    )
    assert res.status_code == 200 and res.json()["stored"] == 1
    cov = api.get(f"/api/v1/testing/rounds/{r.pk}/coverage/").json()
    assert cov["total"]["tested"] == 10 and cov["total"]["coverage"] == 1.0
    assert cov["turnaround_by_lab"][0]["tubes"] == 1


def test_a_lab_result_batch_with_only_broken_rows_is_a_400_and_stores_nothing(world, api_for):
    api = api_for(world.tracer)
    _ps, _r, _s, lb = _delivered(world, api)
    res = api.post(
        "/api/v1/testing/results/",
        {
            "lab": lb.code,
            "results": [
                {"barcode": "LABT0001", "result": "unclear", "tested_at": _now()},
                {"barcode": "LABT0001", "tested_at": _now()},
            ],
        },
        format="json",
    )
    assert res.status_code == 400
    assert [(p["row"], p["field"]) for p in res.json()["problems"]] == [
        (1, "result"),
        (2, "result"),
    ]
    assert Tube.objects.get(barcode="LABT0001").result == ""


def test_a_lab_uploads_a_csv_file(world, api_for):
    api = api_for(world.tracer)
    _ps, _r, _s, lb = _delivered(world, api)
    text = f"barcode,result,tested_at\nLABT0001,positive,{_now()}\n".encode()
    res = api.post(
        "/api/v1/testing/results/file/",
        {"lab": lb.code, "file": SimpleUploadedFile("r.csv", text, "text/csv")},
        format="multipart",
    )
    assert res.status_code == 200, res.content
    assert res.json()["positives"] == 1


def test_lab_results_need_a_token_and_the_operations_capability(world, api_for):
    body = {"lab": "LAB1", "results": []}
    assert APIClient().post("/api/v1/testing/results/", body, format="json").status_code == 401
    assert (
        api_for(world.leader).post("/api/v1/testing/results/", body, format="json").status_code
        == 403
    )
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.post("/api/v1/testing/results/", body, format="json").status_code == 401


def test_another_county_cannot_report_results_for_this_countys_tubes(world, api_for):
    _ps, _r, _s, lb = _delivered(world, api_for(world.tracer))
    res = api_for(world.other_county_staff).post(
        "/api/v1/testing/results/",
        {
            "lab": lb.code,
            "results": [{"barcode": "LABT0001", "result": "negative", "tested_at": _now()}],
        },
        format="json",
    )
    assert res.status_code == 400
    assert res.json()["problems"][0]["code"] == "outside"
    assert Tube.objects.get(barcode="LABT0001").result == ""


def test_rounds_are_created_by_api_and_hidden_from_another_county(world, api_for):
    people(world.village, 3)
    start = timezone.now()
    res = api_for(world.tracer).post(
        "/api/v1/testing/rounds/",
        {
            "name": "芗城区第一轮",
            "kind": "whole_population",
            "areas": [world.county.code],
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert res.status_code == 201, res.content
    rid = res.json()["id"]
    assert res.json()["targets"] == 3 and res.json()["pool_size"] == 10
    other = api_for(world.other_county_staff)
    assert other.get(f"/api/v1/testing/rounds/{rid}/").status_code == 404
    assert other.get(f"/api/v1/testing/rounds/{rid}/coverage/").status_code == 404
    assert rid not in [r["id"] for r in other.get("/api/v1/testing/rounds/").json()["results"]]
    refused = other.post(
        "/api/v1/testing/rounds/",
        {
            "name": "x",
            "kind": "whole_population",
            "areas": [world.county.code],
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert refused.status_code == 403


def test_the_due_list_masks_names_and_is_audited(world, api_for):
    people(world.village, 2)
    r = round_([world.village])
    res = api_for(world.tracer).get(f"/api/v1/testing/rounds/{r.pk}/due/")
    assert res.status_code == 200 and res.json()["due"] == 2
    assert all("受检" not in p["name"] or "*" in p["name"] for p in res.json()["people"])
    assert AuditEvent.objects.filter(action="testing.due_list").exists()


def test_the_pool_size_api_recommends_and_simulates(world, api_for):
    res = api_for(world.leader).get(
        "/api/v1/testing/pool-size/", {"prevalence": "0.01", "simulate": "100000"}
    )
    body = res.json()
    assert body["recommended_pool_size"] == 10
    sim = body["simulation"]
    assert abs(sim["tests_per_person"] - sim["formula_tests_per_person"]) < 0.01
    bad = api_for(world.leader).get("/api/v1/testing/pool-size/", {"prevalence": "2"})
    assert bad.status_code == 400 and "between 0 and 1" in bad.json()["problems"][0]["message"]


def test_who_is_due_when_lists_scheduled_tests_and_coming_rounds(world, api_for):
    from zhanyi.handoffs import schedule
    from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
    from zhanyi.handoffs.schedule import ScheduledTest

    from .factories import SYSTEM

    p = people(world.village, 1)[0]
    far = people(world.other_village, 1)[0]
    now = timezone.now()
    # A schedule whose day-1 test is done: day 4 is the one due.
    tests = [
        ScheduledTest(
            "quarantine",
            1,
            now - dt.timedelta(days=3),
            now - dt.timedelta(days=2),
            done=True,
            tube="ZZ1",
            sampled_at=now - dt.timedelta(days=3),
        ),
        ScheduledTest("quarantine", 4, now + dt.timedelta(hours=2), now + dt.timedelta(hours=26)),
    ]
    do_create_handoffs(
        [
            HandoffSpec(
                key=f"tracing.contact:{x.pk}:tests",
                kind="test",
                person_id=x.pk,
                area_id=area.pk,
                from_task_force="investigation",
                to_task_force="testing",
                origin="tracing.contact:9",
                not_before=now + dt.timedelta(hours=2),
                due_at=now + dt.timedelta(hours=26),
                detail=schedule.detail_of(tests),
            )
            for x, area in ((p, world.village), (far, world.other_village))
        ],
        acting_user=SYSTEM,
    )
    actions.do_create_schedule(
        acting_user=SYSTEM,
        name="港口工人每2天",
        kind="key_groups",
        scope_areas=[world.village],
        every_days=2,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=6),
        pool_size=5,
    )
    body = api_for(world.tracer).get("/api/v1/testing/due/", {"hours": "72"}).json()
    assert [t["person"] for t in body["tests"]] == [p.pk]
    assert (body["tests"][0]["stage"], body["tests"][0]["day"]) == ("quarantine", 4)
    assert [r["number"] for r in body["rounds"]] == [1, 2]
    assert api_for(world.other_county_staff).get("/api/v1/testing/due/").json()["rounds"] == []


def test_people_are_made_exempt_by_api_with_a_reason_and_coverage_counts_them(world, api_for):
    ps = people(world.village, 3)
    r = round_([world.village])
    api = api_for(world.tracer)
    url = f"/api/v1/testing/rounds/{r.pk}/exempt/"
    assert api.post(url, {"persons": [ps[0].pk], "reason": ""}, format="json").status_code == 400
    res = api.post(url, {"persons": [ps[0].pk], "reason": "卧床"}, format="json")
    assert res.status_code == 200 and res.json()["exempt"] == 1
    cov = api.get(f"/api/v1/testing/rounds/{r.pk}/coverage/").json()
    assert cov["total"]["exempt"] == 1 and cov["total"]["due"] == 2
    assert (
        api_for(world.leader)
        .post(url, {"persons": [ps[1].pk], "reason": "x"}, format="json")
        .status_code
        == 403
    )
    assert (
        api_for(world.other_county_staff)
        .post(url, {"persons": [ps[1].pk], "reason": "x"}, format="json")
        .status_code
        == 404
    )


def test_coverage_at_an_unknown_level_is_a_400_naming_the_level(world, api_for):
    r = round_([world.village])
    res = api_for(world.commander).get(f"/api/v1/testing/rounds/{r.pk}/coverage/?level=grid")
    assert res.status_code == 400
    assert res.json()["problems"] == [
        {
            "field": "level",
            "code": "invalid",
            "message": "Unknown level; use county, township or village.",
            "value": "grid",
        }
    ]


def test_an_api_result_with_a_bad_report_time_names_reported_at_as_a_lab_file_does(world, api_for):
    api = api_for(world.tracer)
    _ps, _r, _s, lb = _delivered(world, api)
    res = api.post(
        "/api/v1/testing/results/",
        {
            "lab": lb.code,
            "results": [
                {"barcode": "LABT0001", "result": "阴性", "tested_at": _now(), "reported_at": "x"}
            ],
        },
        format="json",
    )
    assert res.status_code == 400
    assert res.json()["problems"] == [
        {
            "row": 1,
            "field": "reported_at",
            "code": "invalid",
            "message": "Not a date and time (2021-09-12 08:30).",
            "value": "x",
        }
    ]
    assert Tube.objects.get(barcode="LABT0001").result == ""
