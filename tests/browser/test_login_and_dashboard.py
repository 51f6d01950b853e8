"""A person logs in through the real page in headless Chromium and sees the
dashboard: the figures and the map drawn from our own GeoJSON."""

from __future__ import annotations

import os

import pytest

from zhanyi.accounts.testing import PASSWORD
from zhanyi.people.models import Person

from .conftest import CHROMIUM, PHONE, fits_the_phone, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("Debian's chromium is not installed (make browser)", allow_module_level=True)


SQUARE = {
    "type": "Polygon",
    "coordinates": [[[117.6, 24.5], [117.7, 24.5], [117.7, 24.6], [117.6, 24.6], [117.6, 24.5]]],
}


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


def test_the_command_view_on_a_phone_lists_each_figure_on_a_line(world, live_server, open_page):
    """A commander on a phone: each figure one line (label left, value right),
    not two cards a row, and the areas a table whose numbers keep their headings."""
    Person.objects.create(name="张三", village=world.village)
    page = open_page(PHONE)
    log_in(page, live_server.url, world.commander)
    page.goto(f"{live_server.url}/")
    fits_the_phone(page)
    figure = page.locator('[data-figure="people.persons"]')
    label, value = figure.locator(".label"), figure.locator(".value")
    assert label.bounding_box()["x"] < value.bounding_box()["x"]
    assert abs(label.bounding_box()["y"] - value.bounding_box()["y"]) < 12
    assert figure.bounding_box()["height"] < 48
    areas = page.locator(".grid-2 table")
    assert areas.locator("thead").is_visible()
    row = areas.locator("tbody tr").first
    cells = [row.locator("td").nth(i).bounding_box() for i in range(3)]
    assert len({round(c["y"]) for c in cells}) == 1, "the three cells share one line"


def test_a_table_on_a_phone_labels_each_cell_with_its_column(world, live_server, open_page):
    """On a phone a table is one card per row: every cell says which column it
    is (the audit log's template gives no labels of its own)."""
    page = open_page(PHONE)
    log_in(page, live_server.url, world.admin)
    page.goto(f"{live_server.url}/accounts/audit/")
    fits_the_phone(page)
    cells = page.locator("#audit-table tbody tr").first.locator("td")
    labels = [cells.nth(i).get_attribute("data-label") for i in range(cells.count())]
    assert labels[:3] == ["时间", "操作人", "操作"], labels
    shown = page.evaluate(
        "getComputedStyle(document.querySelector('#audit-table tbody td'), '::before').content"
    )
    assert "时间" in shown
