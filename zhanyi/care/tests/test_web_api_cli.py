"""The care desk and a patient's page, the API and ``zhanyi care``: the right
user can, another county and an outsider cannot, reads and writes audited."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from zhanyi.care.models import Admission, NucleicTest
from zhanyi.core.models import AuditEvent

from .factories import admitted, at, case, hospital, ready_for_discharge

pytestmark = pytest.mark.django_db


def iso(hours: float) -> str:
    return at(hours).isoformat()


def test_the_desk_admits_a_case_and_shows_it_masked(world, client_for):
    _h, ward = hospital(world.city)
    p = case(world.village, "张三丰", 1)
    client = client_for(world.tracer)
    page = client.post(
        reverse("care:home"),
        {"form": "admit", "person": p.pk, "ward": ward.pk, "condition": "severe"},
        follow=True,
    ).content.decode()
    assert "Admitted." in page and "张三丰" in page  # the patient's page (audited)
    a = Admission.objects.get(person=p)
    assert a.condition == "severe"
    desk = client.get(reverse("care:home")).content.decode()
    assert "张**" in desk and "张三丰" not in desk and "0 / 10" not in desk and "1 / 10" in desk
    assert AuditEvent.objects.filter(action="care.admission.view").count() == 1


def test_the_patient_page_shows_criteria_and_refuses_discharge_saying_why(world, client_for):
    _h, ward = hospital(world.city)
    a = admitted(world.village, ward)
    client = client_for(world.village_member)
    url = reverse("care:admission", kwargs={"admission_id": a.pk})
    page = client.get(url).content.decode()
    assert "Discharge criteria" in page and "Temperature: none recorded" in page
    refused = client.post(url, {"form": "discharge"}).content.decode()
    assert "Discharge refused." in refused and "Lung imaging: not assessed" in refused
    early = {"form": "observation", "temperature": "38.2", "at": "2021-01-01T08:00"}
    assert "is before the admission" in client.post(url, early).content.decode()
    client.post(url, {"form": "test", "result": "negative", "sample": "sputum", "ct_n": "38"})
    assert NucleicTest.objects.get(admission=a).ct_n == 38
    views = AuditEvent.objects.filter(action="care.admission.view").count()
    assert views >= 2


def test_discharge_then_a_check_in_on_the_page(world, client_for):
    _h, ward = hospital(world.city)
    a = admitted(world.village, ward)
    ready_for_discharge(a, user=world.tracer)
    client = client_for(world.tracer)
    url = reverse("care:admission", kwargs={"admission_id": a.pk})
    page = client.post(url, {"form": "discharge"}, follow=True).content.decode()
    assert "Discharged; the health monitoring after discharge begins." in page
    page = client.post(url, {"form": "check_in", "temperature": "36.6"}, follow=True)
    assert "Check-in recorded." in page.content.decode()
    assert "day 0 of 14" in client.get(reverse("care:home")).content.decode()


def test_others_are_refused_on_the_pages(world, client_for):
    _h, ward = hospital(world.city)
    a = admitted(world.village, ward)
    url = reverse("care:admission", kwargs={"admission_id": a.pk})
    assert client_for(world.other_county_staff).get(url).status_code == 404
    assert client_for(world.outsider).get(url).status_code == 403
    assert client_for(world.outsider).get(reverse("care:home")).status_code == 403
    leader = client_for(world.leader)
    assert leader.get(url).status_code == 200
    assert leader.post(url, {"form": "discharge"}).status_code == 403
    other_desk = client_for(world.other_county_staff).get(reverse("care:home")).content.decode()
    assert "张*" not in other_desk and "漳州市定点医院" in other_desk  # the city's hospital


def test_the_api_end_to_end(world, api_for):
    hospital(world.city)
    p = case(world.village, "李四", 2)
    api = api_for(world.tracer)
    made = api.post(
        "/api/v1/care/admissions/",
        {
            "person": p.pk,
            "hospital": "漳州市定点医院",
            "ward": "一病区",
            "condition": "mild",
            "admitted_at": iso(0),
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    base = f"/api/v1/care/admissions/{pk}/"
    refused = api.post(base + "discharge/", {"at": iso(100)}, format="json")
    assert refused.status_code == 400
    assert "Temperature: none recorded" in json.dumps(refused.json(), ensure_ascii=False)
    for hours, temp in ((1, "38.1"), (24, "36.8"), (96, "36.7")):
        r = api.post(base + "observations/", {"temperature": temp, "at": iso(hours)}, format="json")
        assert r.status_code == 201, r.content
    api.post(
        base + "observations/",
        {"respiratory": "improved", "imaging": "none", "at": iso(96)},
        format="json",
    )
    for hours in (60, 84):
        r = api.post(
            base + "tests/",
            {"result": "negative", "sampled_at": iso(hours), "ct_orf1ab": "37.5"},
            format="json",
        )
        assert r.status_code == 201, r.content
    assert (
        api.post(
            base + "condition/", {"condition": "moderate", "at": iso(30)}, format="json"
        ).status_code
        == 201
    )
    detail = api.get(base).json()
    assert [c["holds"] for c in detail["criteria"]] == [True, True, True, True]
    assert detail["name"] == "李*" and detail["tests"][0]["ct_orf1ab"] == 37.5
    done = api.post(base + "discharge/", {"at": iso(100)}, format="json")
    assert done.status_code == 200 and done.json()["discharged_at"]
    check = api.post(base + "check-ins/", {"temperature": "36.5", "at": iso(124)}, format="json")
    assert check.status_code == 201
    positive = api.post(base + "tests/", {"result": "positive"}, format="json").json()
    assert positive["open_alerts"][0]["kind"] == "repositive"
    alert_id = positive["open_alerts"][0]["id"]
    assert api.get("/api/v1/care/alerts/").json()["results"][0]["id"] == alert_id
    closed = api.post(
        f"/api/v1/care/alerts/{alert_id}/close/", {"outcome": "再次收治"}, format="json"
    )
    assert closed.status_code == 200 and closed.json()["closed_at"]
    assert AuditEvent.objects.filter(action="care.admission.view").count() == 1
    other = api_for(world.other_county_staff)
    assert other.get(base).status_code == 404
    assert other.get("/api/v1/care/admissions/?all=1").json()["results"] == []
    assert other.post(base + "discharge/", {}, format="json").status_code == 404
    assert api_for(world.outsider).get("/api/v1/care/admissions/").status_code == 403


def test_the_api_hospitals_and_wards(world, api_for):
    api = api_for(world.commander)
    r = api.post(
        "/api/v1/care/hospitals/", {"name": "漳州市第二定点医院", "area": "350600"}, format="json"
    )
    assert r.status_code == 201, r.content
    r = api.post(
        "/api/v1/care/wards/",
        {"hospital": "漳州市第二定点医院", "name": "ICU", "beds": 12},
        format="json",
    )
    assert r.status_code == 201
    listed = api_for(world.tracer).get("/api/v1/care/hospitals/").json()["results"]
    assert listed == [
        {
            "name": "漳州市第二定点医院",
            "area": "350600",
            "designated": True,
            "wards": [{"name": "ICU", "beds": 12, "taken": 0}],
        }
    ]
    refused = api_for(world.tracer).post(
        "/api/v1/care/hospitals/", {"name": "x", "area": "350600"}, format="json"
    )
    assert refused.status_code == 403


def test_the_command_line(world):
    out = io.StringIO()
    call_command("care", "hospital", "create", "漳州市定点医院", "--area", "350600", stdout=out)
    call_command("care", "ward", "漳州市定点医院", "一病区", "--beds", "5", stdout=out)
    p = case(world.village, "王五", 3)
    call_command(
        "care",
        "admit",
        str(p.pk),
        "--hospital",
        "漳州市定点医院",
        "--ward",
        "一病区",
        "--condition",
        "critical",
        "--at",
        iso(0),
        stdout=out,
    )
    a = Admission.objects.get(person=p)
    assert f"admission {a.pk}: case #{a.case_id}" in out.getvalue()
    with pytest.raises(CommandError, match=r"Discharge refused.*Temperature: none recorded"):
        call_command("care", "discharge", str(a.pk), "--at", iso(100))
    ready_for_discharge(a)
    out = io.StringIO()
    call_command("care", "criteria", str(a.pk), "--at", iso(100), stdout=out)
    assert out.getvalue().count("holds") == 4
    call_command("care", "discharge", str(a.pk), "--at", iso(100), stdout=out)
    call_command("care", "test", str(a.pk), "positive", stdout=out)
    assert "ALERT" in out.getvalue()
    out = io.StringIO()
    call_command("care", "list", "--all", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert rows[0]["name"] == "王*" and rows[0]["discharged_at"]
    with pytest.raises(CommandError, match="no admission 999"):
        call_command("care", "condition", "999", "mild")


def test_a_fever_clinics_referral_waits_on_the_desk_until_the_case_is_admitted(world, client_for):
    import datetime as dt

    from django.utils import timezone

    from zhanyi.accounts.models import TaskForceKind
    from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
    from zhanyi.handoffs.models import Handoff

    _h, ward = hospital(world.city)
    p = case(world.village, "赵六", 4)
    do_create_handoffs(
        [
            HandoffSpec(
                key=f"clinics.visit:1:{p.pk}:admission",
                kind="admission",
                person_id=p.pk,
                area_id=world.village.pk,
                from_task_force=TaskForceKind.COMMUNITY,
                to_task_force=TaskForceKind.TRANSFER,
                origin="clinics.visit:1",
                due_at=timezone.now() - dt.timedelta(hours=1),
            )
        ],
        acting_user=world.tracer,
    )
    client = client_for(world.tracer)
    desk = client.get(reverse("care:home")).content.decode()
    assert "Referred to the designated hospital" in desk and "赵*" in desk and "overdue" in desk
    answer = client.post(
        reverse("care:home"),
        {"form": "admit", "person": p.pk, "ward": ward.pk, "condition": "mild"},
    )
    assert answer.status_code == 302
    referral = Handoff.objects.get(kind="admission", person=p)
    assert referral.status == "done" and referral.outcome.startswith("care.admission:")
    assert "Nobody waiting." in client.get(reverse("care:home")).content.decode()
    other = client_for(world.other_county_staff).get(reverse("care:home")).content.decode()
    assert "赵*" not in other
