"""The testing pages: home, round dashboard, the phone scan page, lab upload,
pool size; capability and jurisdiction refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhanyi.testing import actions
from zhanyi.testing.models import Sample, TestingRound, Tube

from .factories import deliver_and_receive, lab, people, report, round_, scan, site


def test_the_home_page_lists_the_rounds_of_the_jurisdiction(world, client_for):
    r = round_([world.village], name="东铺头第一轮")
    other = round_([world.other_village], name="新华第一轮")
    page = client_for(world.tracer).get("/testing/").content.decode()
    assert r.name in page and other.name not in page


def test_a_round_is_created_from_the_home_page(world, client_for):
    people(world.village, 2)
    start = timezone.localtime()
    res = client_for(world.tracer).post(
        "/testing/",
        {
            "name": "网页轮次",
            "kind": "sealed_zone",
            "areas": world.village.code,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "pool_size": 10,
        },
    )
    r = TestingRound.objects.get()
    assert res.status_code == 302 and res.url == f"/testing/rounds/{r.pk}/"
    assert r.targets.count() == 2


def test_a_round_is_created_for_areas_named_not_numbered(world, client_for):
    people(world.village, 3)
    start = timezone.localtime()
    client = client_for(world.tracer)
    form = {
        "name": "按名称",
        "kind": "sealed_zone",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "pool_size": 10,
    }
    found = client.get("/places/pick/areas/", {"areas__q": world.village.name[:3], "key": "code"})
    assert f'data-pick="{world.village.code}"' in found.content.decode()
    outside = client.get("/places/pick/areas/", {"areas__q": world.other_village.name})
    assert world.other_village.name not in outside.content.decode()
    res = client.post("/testing/", {**form, "areas__q": world.village.name})
    assert res.status_code == 302
    assert TestingRound.objects.get().targets.count() == 3


def test_a_round_in_another_county_cannot_be_created_from_the_page(world, client_for):
    start = timezone.localtime()
    res = client_for(world.tracer).post(
        "/testing/",
        {
            "name": "x",
            "kind": "sealed_zone",
            "areas": world.other_village.code,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "pool_size": 10,
        },
    )
    assert res.status_code == 200 and "outside your jurisdiction" in res.content.decode()
    assert not TestingRound.objects.exists()


def test_the_round_dashboard_shows_coverage_turnaround_and_retests(world, client_for):
    ps = people(world.village, 5)
    r = round_([world.village], pool_size=5)
    s = site(world.village)
    lb = lab(world.city)
    scan("WEB00001", ps, site=s, round=r)
    deliver_and_receive(s, lb, ["WEB00001"])
    report(lb, {"WEB00001": "positive"})
    page = (
        client_for(world.commander).get(f"/testing/rounds/{r.pk}/?level=village").content.decode()
    )
    assert world.village.name in page and lb.name in page
    assert "round-chart-data" in page and "echarts" in page
    assert "Single-tube re-sampling (5)" in page


def test_another_county_and_an_outsider_cannot_open_the_round(world, client_for):
    r = round_([world.village])
    assert client_for(world.other_county_staff).get(f"/testing/rounds/{r.pk}/").status_code == 404
    assert client_for(world.outsider).get(f"/testing/rounds/{r.pk}/").status_code == 403
    assert client_for(world.outsider).get("/testing/").status_code == 403


def test_a_sampler_scans_a_tube_then_people_on_the_phone_page(world, client_for):
    ps = people(world.village, 2)
    r = round_([world.village], pool_size=5)
    s = site(world.village)
    client = client_for(world.village_member)
    page = client.get("/testing/scan/").content.decode()
    assert s.name in page and 'id="tube"' in page
    for p in ps:
        res = client.post(
            "/testing/scan/submit/",
            {"site": s.pk, "round": r.pk, "tube": "PHONE001", "code": actions.qr_payload(p.pk)},
            HTTP_HX_REQUEST="true",
        )
        assert "Recorded." in res.content.decode()
    assert "2 / 5" in res.content.decode()
    again = client.post(
        "/testing/scan/submit/",
        {"site": s.pk, "round": r.pk, "tube": "PHONE002", "code": actions.qr_payload(ps[0].pk)},
    ).content.decode()
    assert "Already sampled in this round (tube PHONE001)" in again
    assert Sample.objects.count() == 2


def test_a_leader_cannot_open_the_scan_page_and_another_village_cannot_scan_here(world, client_for):
    p = people(world.village2, 1)[0]
    r = round_([world.township])
    s = site(world.village2, "南昌采样点")
    assert client_for(world.leader).get("/testing/scan/").status_code == 403
    res = client_for(world.village_member).post(
        "/testing/scan/submit/",
        {"site": s.pk, "round": r.pk, "tube": "PHONE003", "code": actions.qr_payload(p.pk)},
    )
    assert res.status_code == 404
    assert not Tube.objects.exists()


def test_a_lab_uploads_a_file_and_sees_the_refused_rows(world, client_for):
    ps = people(world.village, 1)
    r = round_([world.village], pool_size=1)
    s = site(world.village)
    lb = lab(world.city)
    scan("UPL00001", ps, site=s, round=r)
    deliver_and_receive(s, lb, ["UPL00001"])
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    data = f"barcode,result,tested_at\nUPL00001,negative,{now}\nUPL00002,negative,{now}\n".encode()
    res = client_for(world.tracer).post(
        "/testing/results/upload/",
        {"lab": lb.code, "file": SimpleUploadedFile("lab.csv", data, "text/csv")},
    )
    page = res.content.decode()
    assert "2 rows: 1 stored, 0 unchanged, 1 refused" in page
    assert "Unknown tube barcode." in page
    assert Tube.objects.get(barcode="UPL00001").result == "negative"


def test_the_pool_size_page_recommends(world, client_for):
    page = (
        client_for(world.leader).get("/testing/pool-size/", {"prevalence": "0.01"}).content.decode()
    )
    assert "Recommended: 10-in-1" in page


def test_the_round_dashboard_at_an_unknown_level_says_so_instead_of_ignoring_it(world, client_for):
    r = round_([world.village])
    res = client_for(world.commander).get(f"/testing/rounds/{r.pk}/?level=street")
    assert res.status_code == 400 and "level" in res.content.decode()


def test_the_round_form_offers_the_protocols_pool_sizes_default_first():
    from zhanyi.testing.actions.common import testing_rule
    from zhanyi.testing.forms import RoundForm

    rule = testing_rule()
    offered = [k for k, _label in RoundForm().fields["pool_size"].choices]
    assert offered[0] == rule.default_pool_size
    assert sorted(offered) == sorted(rule.pool_sizes)


def test_a_tubes_chance_of_being_positive_is_p_alone_and_one_minus_q_to_the_k_pooled():
    from zhanyi.engine.pooling.dorfman import pool_option

    assert pool_option(0.02, 1).positive_pool_probability == pytest.approx(0.02)
    assert pool_option(0.02, 10).positive_pool_probability == pytest.approx(1 - 0.98**10)
