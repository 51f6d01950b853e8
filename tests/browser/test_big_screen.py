"""The big screen (大屏) in headless Chromium: dark, its key figures, and the
epidemic curve drawn by ECharts from the cases."""

from __future__ import annotations

import pytest

from zhanyi.accounts.testing import PASSWORD
from zhanyi.tracing.tests.factories import case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_commander_opens_the_big_screen_and_it_draws_the_curve(
    world,
    live_server,
    open_page,
):
    for day in range(3, 15):
        case(world.village, day=day)
    world.county.boundary = {
        "type": "Polygon",
        "coordinates": [[[117.6, 24.5], [117.7, 24.5], [117.7, 24.6], [117.6, 24.5]]],
    }
    world.county.save(update_fields=["boundary"])
    page = open_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/screen/")
    page.fill("#id_username", world.commander.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/screen/")
    assert page.locator('[data-figure="tracing.cases"] .value').inner_text() == "12"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(11, 20, 38)"  # dark
    page.wait_for_selector("#curve-chart canvas", timeout=15_000)
    # The map's layers (masked: a wall screen), one series each but the zones (none here).
    page.wait_for_selector("#screen-map[data-layers-ready='4']", timeout=15_000)
    assert page.locator("#screen").get_attribute("hx-trigger") == "every 30s"
