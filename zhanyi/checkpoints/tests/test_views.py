"""The pages: the phone page, a station, a check, the day table, the vessels."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from zhanyi.checkpoints.models import Check
from zhanyi.core.models import AuditEvent
from zhanyi.people.models import Person

from .factories import check, station

pytestmark = pytest.mark.django_db


def form(st, **fields):
    return {
        "client_id": str(uuid.uuid4()),
        "station": st.pk,
        "plate": "闽e 12345",
        "people": "2",
        "code_colour": "green",
        "origin_city": "厦门市",
        "destination": "芗城区",
        "test_age_hours": "",
        **fields,
    }


def test_the_officer_records_a_check_and_sees_the_decision(world, client_for, zones):
    st = station(world.county)
    client = client_for(world.tracer)
    page = client.get(reverse("checkpoints:check-page"))
    assert page.status_code == 200 and "check-form" in page.content.decode()
    zones[world.village.path] = "controlled"
    answer = client.post(
        reverse("checkpoints:check-page"),
        form(st, origin_area=world.village.code, origin_city=""),
    )
    text = answer.content.decode()
    assert "Turn back" in text and "Coming from a Controlled zone: Turn back." in text
    assert Check.objects.get().plate == "闽E12345"


def test_a_malformed_plate_is_shown_beside_the_field(world, client_for):
    st = station(world.county)
    answer = client_for(world.tracer).post(
        reverse("checkpoints:check-page"), form(st, plate="E12345")
    )
    assert "must start with a province" in answer.content.decode()
    assert not Check.objects.exists()


def test_a_leader_may_not_open_the_phone_page(world, client_for):
    station(world.county)
    assert client_for(world.leader).get(reverse("checkpoints:check-page")).status_code == 403


def test_the_other_county_does_not_see_the_station_or_its_checks(world, client_for):
    st = station(world.county)
    c = check(st)
    client = client_for(world.other_county_staff)
    assert client.get(reverse("checkpoints:station", args=[st.pk])).status_code == 404
    assert client.get(reverse("checkpoints:check", args=[c.pk])).status_code == 404
    page = client.get(reverse("checkpoints:check-page"))
    assert "No checkpoint open in your jurisdiction." in page.content.decode()
    days = client.get(reverse("checkpoints:days")).content.decode()
    assert st.name not in days


def test_the_station_page_and_the_day_table(world, client_for):
    st = station(world.county)
    check(st, people=3, origin_area=world.village, origin_city="", code_colour="red")
    client = client_for(world.tracer)
    page = client.get(reverse("checkpoints:station", args=[st.pk])).content.decode()
    assert "Handed to quarantine: name the person" in page
    days = client.get(reverse("checkpoints:days") + "?by=kind").content.decode()
    assert "City border" in days
    home = client.get(reverse("checkpoints:home")).content.decode()
    assert st.name in home and "Vehicles checked" in home


def test_naming_the_person_of_a_check_on_its_page(world, client_for):
    st = station(world.county)
    c = check(st, code_colour="red")
    someone = Person.objects.create(name="孙七", village=world.village)
    client = client_for(world.tracer)
    client.post(reverse("checkpoints:check", args=[c.pk]), {"person": someone.pk})
    c.refresh_from_db()
    assert c.person == someone and c.handoff_key
    client.get(reverse("checkpoints:check", args=[c.pk]))
    assert AuditEvent.objects.filter(action="checkpoints.check.view").exists()
    leader = client_for(world.leader)
    assert leader.post(reverse("checkpoints:check", args=[c.pk]), {}).status_code == 403


def test_a_station_is_set_up_from_the_page(world, client_for):
    client = client_for(world.tracer)
    client.post(
        reverse("checkpoints:home"),
        {"name": "漳州站", "kind": "rail_station", "area": world.county.pk},
    )
    assert AuditEvent.objects.filter(action="checkpoints.station.create").exists()
    assert client_for(world.leader).post(reverse("checkpoints:home"), {}).status_code == 403
