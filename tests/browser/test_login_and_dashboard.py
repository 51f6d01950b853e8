"""A person logs in through the real page in headless Chromium and sees the
dashboard: the figures and the map drawn from our own GeoJSON."""

from __future__ import annotations

import contextlib
import os
import shutil

import pytest

from zhanyi.accounts.testing import PASSWORD
from zhanyi.people.models import Person

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("Debian's chromium is not installed (make browser)", allow_module_level=True)


SQUARE = {
    "type": "Polygon",
    "coordinates": [[[117.6, 24.5], [117.7, 24.5], [117.7, 24.6], [117.6, 24.6], [117.6, 24.5]]],
}


@pytest.fixture
def open_page():
    """``open_page()``: a page in headless Chromium, open until the test ends.

    Open it after the test's own ORM calls. While Playwright's sync API is
    open, its event loop counts as running in this thread, and Django keeps
    this thread's database connections per asyncio context instead: a query
    there opens a second connection that Django never closes, and PostgreSQL
    then refuses to drop the test database at the end of the session ("being
    accessed by other users"). Without DJANGO_ALLOW_ASYNC_UNSAFE, such a query
    fails at once (SynchronousOnlyOperation) instead.
    """
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "chromium is required when CI=true"
    with contextlib.ExitStack() as stack:

        def open_():
            p = stack.enter_context(sync_playwright())
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
            stack.callback(browser.close)
            return browser.new_context(locale="zh-CN").new_page()

        yield open_


def test_a_commander_logs_in_and_sees_the_dashboard(world, live_server, open_page):
    for county in (world.county, world.other_county):
        county.boundary = SQUARE
        county.save(update_fields=["boundary"])
    Person.objects.create(name="张三", village=world.village)

    page = open_page()
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


def test_a_wrong_password_keeps_the_visitor_out(world, live_server, open_page):
    page = open_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", world.commander.username)
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "/accounts/login/" in page.url
    assert page.locator(".errorlist, .messages").count() >= 1
