"""A commander approves a proposed zone and sees it on the zones map, in
headless Chromium: the zones drawn by tier with the layers in the legend; and
a commander on a phone draws a zone's outline on the map, corner by corner."""

from __future__ import annotations

import os

import pytest

from zhanyi.accounts.testing import PASSWORD
from zhanyi.core.audit import cli_actor
from zhanyi.places.models import Place, PlaceKind
from zhanyi.zones import actions

from .conftest import CHROMIUM, PHONE, fits_the_phone, keep_screenshot, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("Debian's chromium is not installed (make browser)", allow_module_level=True)


SQUARE = {
    "type": "Polygon",
    "coordinates": [[[117.6, 24.5], [117.7, 24.5], [117.7, 24.6], [117.6, 24.6], [117.6, 24.5]]],
}


def test_a_commander_approves_a_zone_and_sees_it_on_the_map(world, live_server, open_page):
    for county in (world.county, world.other_county):
        county.boundary = SQUARE
        county.save(update_fields=["boundary"])
    place = Place.objects.create(
        name="万益学府花园",
        kind=PlaceKind.RESIDENTIAL_COMPOUND,
        area=world.village,
        lon=117.65,
        lat=24.55,
    )
    zone = actions.do_propose_zone(
        tier="sealed",
        name="万益学府花园封控区",
        reason="病例居住",
        places=[place],
        areas=[world.county],
        acting_user=cli_actor(),
    )
    errors: list[str] = []
    page = open_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/?next=/zones/{zone.pk}/")
    page.fill("#id_username", world.commander.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/zones/{zone.pk}/")
    page.click("button[value=approve]")
    page.wait_for_url(f"{live_server.url}/zones/{zone.pk}/")
    history = page.locator("table").last.inner_text()
    assert "Approved, in force" in history or "已批准，开始管控" in history
    page.goto(f"{live_server.url}/zones/")
    page.wait_for_selector("#zones-map[data-ready='2']", timeout=15_000)
    # The sealed zone's polygon and point series, and one series per other layer.
    page.wait_for_selector("#zones-map[data-layers-ready='6']", timeout=15_000)
    assert page.locator("#zones-map canvas").count() >= 1
    keep_screenshot(page, "zones-map-desktop")
    assert errors == []


def test_a_commander_on_a_phone_draws_a_zone_on_the_map(world, live_server, open_page):
    for county in (world.county, world.other_county):
        county.boundary = SQUARE
        county.save(update_fields=["boundary"])
    Place.objects.create(
        name="万益学府花园",
        kind=PlaceKind.RESIDENTIAL_COMPOUND,
        area=world.village,
        lon=117.65,
        lat=24.55,
    )
    errors: list[str] = []
    page = open_page(PHONE)
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, world.commander)
    page.goto(f"{live_server.url}/zones/")
    page.wait_for_selector("#zones-draw-map[data-layers-ready]", timeout=15_000)
    fits_the_phone(page)
    page.locator("#zones-draw-map").scroll_into_view_if_needed()
    box = page.locator("#zones-draw-map").bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.48
    # Four corners around the middle of the map, where the compound lies.
    for dx, dy in ((-60, -60), (60, -60), (60, 60), (-60, 60)):
        page.mouse.click(cx + dx, cy + dy)
    drawn = page.input_value("#id_polygon")
    assert '"type":"Polygon"' in drawn
    page.fill("#id_name", "手绘封控区")
    page.fill("#id_reason", "病例居住地")
    page.select_option("#id_tier", "sealed")
    keep_screenshot(page, "zones-draw-phone")
    page.click("form:has(#id_polygon) button[type=submit]")
    page.wait_for_url(f"{live_server.url}/zones/*/")
    assert "万益学府花园" in page.locator("main").inner_text()
    assert errors == []
