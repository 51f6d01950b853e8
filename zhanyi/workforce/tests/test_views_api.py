from __future__ import annotations

import io

import pytest
from django.urls import reverse

from zhanyi.core.models import AuditEvent
from zhanyi.workforce import actions
from zhanyi.workforce.models import Deployment, MutualAidTeam

pytestmark = pytest.mark.django_db


def test_the_desk_deploys_and_stands_down_on_the_page(world, client_for):
    client = client_for(world.tracer)
    page = client.get(reverse("workforce:home"))
    assert page.status_code == 200 and "Sampling medics" in page.content.decode()
    client.post(
        reverse("workforce:home"),
        {
            "kind": "cadre",
            "area": world.village.pk,
            "headcount": 30,
            "shift": "day",
            "post": "东门",
        },
    )
    deployment = Deployment.objects.get()
    assert deployment.headcount == 30
    refused = client.post(
        reverse("workforce:home"),
        {"kind": "cadre", "area": world.village.pk, "headcount": 500000, "shift": "day"},
    )
    assert "A headcount is a whole number from 1 to 100,000" in refused.content.decode()
    client.post(reverse("workforce:end-deployment", args=[deployment.pk]))
    deployment.refresh_from_db()
    assert deployment.until is not None


def test_another_county_cannot_end_a_deployment_and_a_leader_cannot_deploy(world, client_for):
    d = actions.do_deploy(area=world.village, kind="police", headcount=3, acting_user=world.tracer)
    other = client_for(world.other_county_staff)
    assert other.post(reverse("workforce:end-deployment", args=[d.pk])).status_code == 404
    leader = client_for(world.leader)
    assert leader.get(reverse("workforce:home")).status_code == 200
    assert leader.post(reverse("workforce:home"), {"kind": "cadre"}).status_code == 403
    assert client_for(world.outsider).get(reverse("workforce:home")).status_code == 403


def test_the_roster_page_imports_and_offers_the_error_file(world, client_for):
    client = client_for(world.tracer)
    code = world.village.code
    text = (
        f"姓名,类别,区域,日期,班次\n张三,志愿者,{code},2021-09-18,白班\n"
        f"李四,外星人,{code},2021-09-18,白班\n"
    )
    upload = io.BytesIO(text.encode("utf-8-sig"))
    upload.name = "排班.csv"
    page = client.post(reverse("workforce:roster"), {"file": upload})
    body = page.content.decode()
    assert "1 of 2 rows stored." in body and "Unknown kind" in body
    record = AuditEvent.objects.get(action="workforce.roster.import")
    errors = client.get(reverse("workforce:error-file", args=[record.object_id]))
    assert errors.status_code == 200 and errors.content[:2] == b"PK"
    day = client.get(reverse("workforce:roster") + "?day=2021-09-18").content.decode()
    assert "张三" in day
    assert AuditEvent.objects.filter(action="workforce.roster.view").exists()
    assert (
        client_for(world.other_county_staff)
        .get(reverse("workforce:error-file", args=[record.object_id]))
        .status_code
        == 404
    )
    masked = client_for(world.leader).get(reverse("workforce:roster") + "?day=2021-09-18")
    assert "张*" in masked.content.decode() and "张三" not in masked.content.decode()


def test_the_api_deploys_moves_teams_and_reads_the_roster(world, api_for):
    api = api_for(world.tracer)
    made = api.post(
        "/api/v1/workforce/deployments/",
        {"area": world.village.code, "kind": "sampling", "headcount": 20},
        format="json",
    )
    assert made.status_code == 201
    listed = api.get("/api/v1/workforce/deployments/").json()
    assert listed["by_kind"]["sampling"] == 20
    assert (
        api_for(world.other_county_staff).get("/api/v1/workforce/deployments/").json()["results"]
        == []
    )
    team = api.post(
        "/api/v1/workforce/teams/",
        {
            "name": "支援队",
            "direction": "leaving",
            "headcount": 1000,
            "counterpart": "海沧区",
            "area": world.county.code,
        },
        format="json",
    ).json()
    assert (
        api.post(
            f"/api/v1/workforce/teams/{team['id']}/step/", {"step": "start"}, format="json"
        ).status_code
        == 200
    )
    again = api.post(
        f"/api/v1/workforce/teams/{team['id']}/step/", {"step": "start"}, format="json"
    )
    assert again.status_code == 400 and "started on" in str(again.json())
    assert MutualAidTeam.objects.get().started_at is not None
    assert (
        api_for(world.leader)
        .post(
            "/api/v1/workforce/deployments/",
            {"area": world.village.code, "kind": "sampling", "headcount": 1},
            format="json",
        )
        .status_code
        == 403
    )
    assert (
        api_for(world.other_county_staff)
        .post(f"/api/v1/workforce/teams/{team['id']}/step/", {"step": "end"}, format="json")
        .status_code
        == 404
    )
