from __future__ import annotations

import pytest

from zhanyi.core.models import AuditEvent
from zhanyi.vaccination import actions

from .factories import ACTOR, person, site, vaccines

pytestmark = pytest.mark.django_db


def test_coverage_by_area_and_age_for_the_users_county(world, api_for):
    v = vaccines()
    s = site(world.village)
    p = person(world.village, "甲", age=30)
    person(world.village2, "乙", age=30, seq=2)
    actions.do_record_dose(acting_user=ACTOR, person=p, vaccine=v["ad5"], dose_number=1, site=s)
    body = api_for(world.tracer).get("/api/v1/vaccination/coverage/").json()
    assert body["area"] == world.county.code
    assert body["total"]["people"] == 2 and body["total"]["first_dose_pct"] == 50.0
    assert body["total"]["first_dose_shortfall"] == 1  # 80 % of 2, rounded up, less 1
    adults = next(b for b in body["by_age"] if b["low"] == 18)
    assert (adults["people"], adults["full_course"]) == (2, 1)
    village = (
        api_for(world.tracer)
        .get("/api/v1/vaccination/coverage/", {"area": world.village.code})
        .json()
    )
    assert village["total"]["people"] == 1
    refused = api_for(world.other_county_staff).get(
        "/api/v1/vaccination/coverage/", {"area": world.village.code}
    )
    assert refused.status_code == 400 and "no such area" in str(refused.json())


def test_a_dose_by_the_api_and_its_refusal_and_the_persons_doses(world, api_for):
    vaccines()
    s = site(world.village)
    p = person(world.village, "张三")
    api = api_for(world.tracer)
    body = {"person": p.pk, "vaccine": "bbibp", "dose_number": 1, "site": s.pk, "batch": "B1"}
    assert api.post("/api/v1/vaccination/doses/", body, format="json").status_code == 201
    again = api.post("/api/v1/vaccination/doses/", body, format="json")
    assert again.status_code == 400
    assert "张三 already has dose 1" in again.json()["dose_number"][0]
    listed = api.get("/api/v1/vaccination/doses/", {"person": p.pk}).json()
    assert [d["dose_number"] for d in listed["results"]] == [1]
    assert AuditEvent.objects.filter(action="vaccination.doses.api_view").exists()
    other = api_for(world.other_county_staff)
    assert other.get("/api/v1/vaccination/doses/", {"person": p.pk}).status_code == 404
    assert other.post("/api/v1/vaccination/doses/", body, format="json").status_code == 404
    leader = api_for(world.leader)
    assert leader.post("/api/v1/vaccination/doses/", body, format="json").status_code == 403


def test_sites_appointments_and_imports_by_the_api(world, api_for):
    vaccines()
    api = api_for(world.tracer)
    made = api.post(
        "/api/v1/vaccination/sites/",
        {"name": "临时接种点", "area": world.village.code, "kind": "temporary"},
        format="json",
    )
    assert made.status_code == 201
    site_id = made.json()["id"]
    unit = api.post(
        "/api/v1/vaccination/appointments/",
        {
            "site": site_id,
            "slot_at": "2021-09-20T09:00:00+08:00",
            "work_unit": "漳州港务局",
            "headcount": 40,
        },
        format="json",
    )
    assert unit.status_code == 201 and unit.json()["headcount"] == 40
    a = person(world.village, "张三")
    upload = f"身份证号,生产企业,剂次,接种时间\n{a.identity_number},康希诺,1,2021-05-01\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    run = api.post(
        "/api/v1/vaccination/imports/",
        {"file": SimpleUploadedFile("x.csv", upload.encode())},
        format="multipart",
    )
    assert run.status_code == 201 and run.json()["stored"] == 1
    assert api.get(f"/api/v1/vaccination/imports/{run.json()['id']}/").status_code == 200
    other = api_for(world.other_county_staff)
    assert other.get(f"/api/v1/vaccination/imports/{run.json()['id']}/").status_code == 404
    assert other.get("/api/v1/vaccination/sites/").json()["results"] == []
