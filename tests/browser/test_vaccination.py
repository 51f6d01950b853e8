"""Vaccination coverage on a phone (issue 20, part 6): by area and by age band,
each row a card with its headings, nothing scrolling sideways at 390 px."""

from __future__ import annotations

import os

import pytest

from zhanyi.vaccination import actions
from zhanyi.vaccination.tests.factories import ACTOR, person, site, vaccines

from .conftest import CHROMIUM, PHONE, fits_the_phone, keep_screenshot, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("Debian's chromium is not installed (make browser)", allow_module_level=True)


def test_coverage_by_area_and_age_band_reads_on_a_phone(world, live_server, open_page):
    v = vaccines()
    s = site(world.village)
    people = [
        person(world.village, "甲", seq=1, age=30),
        person(world.village2, "乙", seq=2, age=70),
        person(world.village, "丙", seq=3, age=15),
        person(world.village2, "丁", seq=4, age=85),
    ]
    for p in people[:3]:
        actions.do_record_dose(acting_user=ACTOR, person=p, vaccine=v["ad5"], dose_number=1, site=s)

    page = open_page(PHONE)
    log_in(page, live_server.url, world.tracer)
    page.goto(f"{live_server.url}/vaccination/")
    areas = page.locator("table", has_text=world.township.name).first
    assert areas.is_visible()
    bands = page.locator("table", has_text="60–79").first
    assert "18–59" in bands.inner_text()
    # Each cell says what it is (the table's heading is hidden on a phone).
    label = bands.locator("td[data-label]").nth(1)
    assert page.evaluate("e => getComputedStyle(e, '::before').content", label.element_handle())
    page.wait_for_selector("#coverage-bands canvas")
    fits_the_phone(page)
    keep_screenshot(page, "vaccination-coverage-390")
