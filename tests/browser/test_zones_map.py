"""A commander approves a proposed zone and sees it on the zones map, in
headless Chromium: the areas coloured by the tier in force, the compound a point."""

from __future__ import annotations

import os

import pytest

from zhanyi.accounts.testing import PASSWORD
from zhanyi.core.audit import cli_actor
from zhanyi.places.models import Place, PlaceKind
from zhanyi.zones import actions

from .conftest import CHROMIUM

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
    page.wait_for_selector("#area-map[data-ready='2']", timeout=15_000)
    assert page.locator("#area-map canvas").count() >= 1
    assert errors == []
