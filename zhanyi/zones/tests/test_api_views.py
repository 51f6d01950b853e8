from __future__ import annotations

import pytest
from django.urls import reverse

from zhanyi.core.models import AuditEvent
from zhanyi.zones.models import Zone, ZoneState

from .factories import compound, resident, zone

pytestmark = pytest.mark.django_db


def test_staff_propose_and_a_commander_approves_through_the_api(world, api_for):
    staff = api_for(world.tracer)
    made = staff.post(
        "/api/v1/zones/",
        {
            "tier": "sealed",
            "name": "东铺头封控区",
            "reason": "病例居住",
            "areas": [world.village.code],
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    zone_id = made.json()["id"]
    refused = staff.post(f"/api/v1/zones/{zone_id}/approve/", {}, format="json")
    assert refused.status_code == 403
    done = api_for(world.commander).post(f"/api/v1/zones/{zone_id}/approve/", {}, format="json")
    assert done.status_code == 200 and done.json()["state"] == ZoneState.IN_FORCE
    risk = staff.get("/api/v1/zones/risk/", {"area": world.village.code}).json()
    assert risk["tier"] == "sealed" and risk["zone"] == zone_id
    detail = staff.get(f"/api/v1/zones/{zone_id}/").json()
    assert [h["kind"] for h in detail["history"]] == ["proposed", "approved"]
    assert "封控区" in detail["history"][1]["notice"]


def test_the_api_refuses_another_countys_zone_and_reads_the_message(world, api_for):
    other = api_for(world.other_county_staff)
    refused = other.post(
        "/api/v1/zones/",
        {"tier": "sealed", "name": "越界", "reason": "x", "areas": [world.village.code]},
        format="json",
    )
    assert refused.status_code == 400
    assert "outside your jurisdiction" in refused.json()["areas"][0]
    z = zone("sealed", areas=[world.village], by=world.tracer)
    assert other.get(f"/api/v1/zones/{z.pk}/").status_code == 404
    assert other.get("/api/v1/zones/").json()["results"] == []
    assert other.get("/api/v1/zones/risk/", {"area": world.village.code}).status_code == 404
    assert api_for(world.outsider).get("/api/v1/zones/").status_code == 403


def test_the_zones_page_lists_zones_with_people_and_the_commander_approves(world, client_for):
    place = compound(world.village)
    resident(world.village, "甲", place)
    resident(world.village, "乙", place)
    z = zone("sealed", places=[place], by=world.tracer)
    page = client_for(world.tracer).get(reverse("zones:home"))
    assert page.status_code == 200
    text = page.content.decode()
    assert z.name in text and "Sealed zone" in text
    commander = client_for(world.commander)
    commander.post(reverse("zones:zone", args=[z.pk]), {"action": "approve", "reason": ""})
    assert Zone.objects.get(pk=z.pk).state == ZoneState.IN_FORCE
    detail = commander.get(reverse("zones:zone", args=[z.pk])).content.decode()
    assert "Days to lifting: 14" in detail
    event = z.events.exclude(notice="").get()
    pdf = commander.get(reverse("zones:notice", args=[z.pk, event.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="zones.notice.print").exists()
    assert (
        client_for(world.other_county_staff).get(reverse("zones:zone", args=[z.pk])).status_code
        == 404
    )


def test_a_page_refusal_reads_its_message(world, client_for):
    z = zone("sealed", areas=[world.village], by=world.tracer)
    page = client_for(world.tracer).post(
        reverse("zones:zone", args=[z.pk]), {"action": "approve"}, follow=True
    )
    assert "Only someone who may approve zones decides on them." in page.content.decode()
    assert Zone.objects.get(pk=z.pk).state == ZoneState.PROPOSED
    form = client_for(world.tracer).post(
        reverse("zones:home"),
        {"form": "propose", "tier": "sealed", "name": "x", "reason": "y", "areas": "新华社区"},
    )
    assert "outside your jurisdiction" in form.content.decode()
    unknown = client_for(world.tracer).post(
        reverse("zones:home"),
        {"form": "propose", "tier": "sealed", "name": "x", "reason": "y", "areas": "无此社区"},
    )
    assert "No area is called 无此社区." in unknown.content.decode()


def test_the_area_map_carries_the_tier_and_the_zones_page_its_layers(world, api_for, client_for):
    place = compound(world.village)
    place.lon, place.lat = 117.65, 24.51
    place.save(update_fields=["lon", "lat"])
    world.village.boundary = {"type": "Polygon", "coordinates": [[[117, 24], [118, 24], [118, 25]]]}
    world.village.save(update_fields=["boundary"])
    z = zone("medium_risk", areas=[world.village], places=[place], by=world.tracer)
    geo = api_for(world.tracer).get(f"/api/v1/places/areas/{world.township.code}/children.geojson")
    (feature,) = geo.json()["features"]
    assert feature["properties"]["risk"] == ""
    from zhanyi.zones import actions

    actions.do_approve_zone(z, acting_user=world.commander)
    geo = api_for(world.tracer).get(f"/api/v1/places/areas/{world.township.code}/children.geojson")
    (feature,) = geo.json()["features"]
    assert feature["properties"]["risk"] == "medium_risk"
    assert feature["properties"]["risk_label"] == "Medium-risk area"
    page = client_for(world.tracer).get(reverse("zones:home")).content.decode()
    # The map fetches its layers (the zones, the cases, the sites) from the API.
    assert "data-command-map" in page and 'data-draw="id_polygon"' in page
    assert "/api/v1/command/map/zones/" in page and "?masked=1" not in page
