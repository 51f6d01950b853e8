from __future__ import annotations

import re

import pytest
from django.urls import reverse

from zhanyi.clinics import actions
from zhanyi.clinics.models import BuyerReport, Visit
from zhanyi.core.models import AuditEvent

from .factories import ACTOR, clinic, person, pharmacy

pytestmark = pytest.mark.django_db


def test_the_clinic_phone_page_triages_and_refuses_an_occupied_room(world, client_for):
    c = clinic(world.village, rooms=1)
    room = c.rooms.get()
    a = person(world.village, "张三丰")
    b = person(world.village, "李四", seq=2)
    client = client_for(world.village_member)
    url = reverse("clinics:clinic", args=[c.pk])
    page = client.get(url).content.decode()
    assert 'name="viewport"' in page and "people-narrow" in page  # laid out for a phone
    done = client.post(
        url,
        {
            "form": "triage",
            "person": a.pk,
            "temperature": "38.5",
            "code_colour": "green",
            "room": room.pk,
        },
        follow=True,
    ).content.decode()
    assert "Fever or respiratory symptoms; the test is handed to testing." in done
    assert "张**" in done and "张三丰" not in done
    client.post(url, {"form": "triage", "person": b.pk, "code_colour": "green"})
    second = Visit.objects.get(person=b)
    refused = client.post(
        url, {"form": "room", "visit": second.pk, "room": room.pk}, follow=True
    ).content.decode()
    assert "Room 1 of 芗城区医院发热门诊 is occupied by 张**" in refused
    assert AuditEvent.objects.filter(action="clinics.clinic.view").exists()
    visit_page = client.get(reverse("clinics:visit", args=[second.pk])).content.decode()
    assert "李*" in visit_page
    assert AuditEvent.objects.filter(action="clinics.visit.view").exists()
    client.post(
        reverse("clinics:visit", args=[second.pk]),
        {"form": "close", "visit": second.pk, "outcome": "hospital"},
    )
    second.refresh_from_db()
    assert second.outcome == "hospital" and second.referral_handoff.kind == "admission"


def test_the_pharmacy_page_reports_a_buyer_and_shows_the_state(world, client_for):
    shop = pharmacy(world.village)
    client = client_for(world.village_member)
    url = reverse("clinics:pharmacies")
    page = client.post(
        url,
        {
            "form": "report",
            "pharmacy": shop.pk,
            "name": "陈新",
            "phone": "139 5550 1234",
            "identity_number": "x",
            "medicine": "fever",
            "follow_up": "test",
        },
        follow=True,
    ).content.decode()
    assert "陈* reported: A test due by" in page
    assert "is not valid" in page  # the warning
    assert BuyerReport.objects.count() == 1
    listed = client.get(url, {"state": "open"}).content.decode()
    assert "东铺头大药房" in listed and "Open" in listed
    # every cell of the reports table but the first carries its heading on a phone
    cells = re.findall(r"<td( [^>]*)?>", listed)
    assert cells and all("data-label" in (c or "") for c in cells[1::5])


def test_outsiders_and_read_only_roles_are_refused(world, client_for):
    c = clinic(world.village)
    visit = actions.do_register_visit(c, person(world.village), acting_user=ACTOR)
    other = client_for(world.other_county_staff)
    assert other.get(reverse("clinics:clinic", args=[c.pk])).status_code == 404
    assert other.get(reverse("clinics:visit", args=[visit.pk])).status_code == 404
    assert "芗城区医院发热门诊" not in other.get(reverse("clinics:home")).content.decode()
    assert client_for(world.outsider).get(reverse("clinics:home")).status_code == 403
    leader = client_for(world.leader)
    assert leader.get(reverse("clinics:clinic", args=[c.pk])).status_code == 200
    posted = leader.post(
        reverse("clinics:visit", args=[visit.pk]),
        {"form": "close", "visit": visit.pk, "outcome": "home"},
    )
    assert posted.status_code == 403


def test_the_api_registers_a_visit_refuses_a_taken_room_and_scopes(world, api_for):
    c = clinic(world.village, rooms=1)
    room = c.rooms.get()
    a = person(world.village, "张三")
    b = person(world.village, "李四", seq=2)
    api = api_for(world.tracer)
    made = api.post(
        "/api/v1/clinics/visits/",
        {"clinic": c.pk, "person": a.pk, "temperature": "37.9", "room": room.pk},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["triage"] == "fever" and made.json()["room"] == "1"
    second = api.post(
        "/api/v1/clinics/visits/", {"clinic": c.pk, "person": b.pk}, format="json"
    ).json()
    taken = api.post(
        f"/api/v1/clinics/visits/{second['id']}/room/", {"room": room.pk}, format="json"
    )
    assert taken.status_code == 400 and "is occupied by 张*" in taken.json()["room"][0]
    closed = api.post(
        f"/api/v1/clinics/visits/{made.json()['id']}/close/",
        {"outcome": "quarantine"},
        format="json",
    )
    assert closed.json()["referral_status"] == "open"
    assert (
        api.post(
            f"/api/v1/clinics/visits/{second['id']}/room/", {"room": room.pk}, format="json"
        ).json()["room"]
        == "1"
    )
    board = api.get(f"/api/v1/clinics/clinics/{c.pk}/").json()
    assert board["rooms"][0]["name_in_room"] == "李*"
    other = api_for(world.other_county_staff)
    assert other.get(f"/api/v1/clinics/visits/{second['id']}/").status_code == 404
    assert other.get("/api/v1/clinics/visits/").json()["results"] == []
    leader = api_for(world.leader)
    refused = leader.post(
        "/api/v1/clinics/visits/", {"clinic": c.pk, "person": a.pk}, format="json"
    )
    assert refused.status_code == 403


def test_the_api_reports_a_buyer_and_lists_the_state(world, api_for):
    shop = pharmacy(world.village)
    api = api_for(world.village_member)
    made = api.post(
        "/api/v1/clinics/reports/",
        {
            "pharmacy": shop.pk,
            "name": "陈新",
            "phone": "13800001111",
            "medicine": "cough",
            "follow_up": "visit",
        },
        format="json",
    )
    assert made.status_code == 201 and made.json()["state"] == "open"
    alone = api.post(
        "/api/v1/clinics/reports/",
        {"pharmacy": shop.pk, "name": "无名", "medicine": "cough"},
        format="json",
    )
    assert alone.status_code == 400 and "a name alone" in alone.json()["phone"][0]
    listed = api.get("/api/v1/clinics/reports/", {"state": "open"}).json()["results"]
    assert [r["name"] for r in listed] == ["陈*"]
    other = api_for(world.other_county_staff)
    assert other.get("/api/v1/clinics/reports/").json()["results"] == []
    assert (
        other.post(
            "/api/v1/clinics/reports/",
            {"pharmacy": shop.pk, "name": "甲", "phone": "13800002222", "medicine": "fever"},
            format="json",
        ).status_code
        == 404
    )
