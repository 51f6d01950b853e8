"""A person logs in through the real page in headless Chromium and sees the
dashboard: the figures and the map drawn from our own GeoJSON."""

from __future__ import annotations

import os
import shutil

import pytest

from zhanyi.core.testing import PASSWORD
from zhanyi.people.models import Person

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("Debian's chromium is not installed (make browser)", allow_module_level=True)

# Playwright's sync API runs an event loop in this thread; the ORM calls below
# happen before and after it, never inside a coroutine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[117.6, 24.5], [117.7, 24.5], [117.7, 24.6], [117.6, 24.6], [117.6, 24.5]]],
}


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "chromium is required when CI=true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(locale="zh-CN")
        yield context.new_page()
        browser.close()


def test_a_commander_logs_in_and_sees_the_dashboard(world, live_server, page):
    for county in (world.county, world.other_county):
        county.boundary = SQUARE
        county.save(update_fields=["boundary"])
    Person.objects.create(name="张三", village=world.village)

    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", world.commander.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    persons = page.locator('[data-figure="people.persons"] .value')
    assert persons.inner_text() == "1"
    assert "漳州市" in page.locator("h1").inner_text()
    # The map fetched the counties' GeoJSON and drew both of them.
    page.wait_for_selector("#area-map[data-ready='2']", timeout=15_000)
    assert page.locator("#area-map canvas").count() >= 1


def test_a_wrong_password_keeps_the_visitor_out(world, live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", world.commander.username)
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "/accounts/login/" in page.url
    assert page.locator(".errorlist, .messages").count() >= 1
