"""Each role's main job, end to end in headless Chromium (issue 16): the tracer
enters a case and an exposure by name and sees the contacts; a village team
member records an outcome on a phone; a sampler scans a tube on a phone; the
commander clicks from a figure to its list. Phone pages are tried at 390 px and
must not scroll sideways; screenshots are kept (tests/browser/conftest.py)."""

from __future__ import annotations

import os

import pytest
from django.utils import translation

from zhanyi.people.models import Person
from zhanyi.screening.actions import do_import_push_list
from zhanyi.screening.models import PushSource
from zhanyi.screening.tests.conftest import PEOPLE, csv_bytes, resident_id, row_for, write_file
from zhanyi.testing.tests.factories import round_, site
from zhanyi.tracing.tests.factories import case

from .conftest import CHROMIUM, PHONE, fits_the_phone, keep_screenshot, log_in, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("Debian's chromium is not installed (make browser)", allow_module_level=True)


def test_a_tracer_enters_a_case_and_an_exposure_by_name_and_sees_the_contact(
    world, live_server, open_page
):
    Person.objects.create(name="陈大文", village=world.village, phone="13905960001")
    Person.objects.create(name="李小红", village=world.village, phone="13905960002")

    page = open_page(PHONE)
    log_in(page, live_server.url, world.tracer)
    page.goto(f"{live_server.url}/tracing/cases/new/")
    pick(page, "id_person_id", "陈大")
    page.fill("#id_sampled_at", "2021-09-13T08:00")
    page.fill("#id_reported_at", "2021-09-13T20:00")
    fits_the_phone(page)
    keep_screenshot(page, "tracer-case-form-390")
    page.click("form.stacked > button[type=submit]")
    page.wait_for_url("**/tracing/cases/*/")
    assert "陈大文" in page.locator("h1").inner_text()

    # The case page opens on its summary; exposures and contacts are tabs.
    page.click("nav.tabs a[href='?tab=exposures']")
    page.wait_for_url("**/tracing/cases/*/?tab=exposures")
    page.locator("details:has(#exposure-form) > summary").click()
    pick(page, "id_person_id", "小红")
    page.select_option("#id_setting", "meal")
    page.fill("#id_exposed_at", "2021-09-12T12:00")
    page.click("#exposure-form > button[type=submit]")
    page.wait_for_selector(".messages li.success")
    page.click("form[action$='/expand/'] button[type=submit]")
    page.wait_for_selector(".messages li.success")
    page.wait_for_url("**/tracing/cases/*/?tab=contacts")
    contacts = page.locator("table", has_text="李小红")
    assert contacts.count() >= 1
    fits_the_phone(page)
    keep_screenshot(page, "tracer-case-390")


def test_a_village_team_member_records_an_outcome_on_a_phone(
    world, live_server, open_page, tmp_path, settings
):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    for name, birth, seq, phone, village, _street in PEOPLE:
        Person.objects.create(
            name=name,
            identity_number=resident_id(birth, seq),
            phone=phone,
            village=getattr(world, village),
        )
    putian = PushSource.objects.create(name="莆田市协查", origin_city="莆田市")
    path = write_file(tmp_path, "list.csv", csv_bytes([row_for(world, "陈建国")]))
    do_import_push_list(putian, path, filename="list.csv", acting_user=world.tracer)

    page = open_page(PHONE)
    log_in(page, live_server.url, world.village_member)
    # Lands on 我的任务, the first tab of the phone's tab bar.
    assert page.url.endswith("/screening/tasks/")
    assert page.locator(".tabbar a.active").inner_text() == "我的任务"
    fits_the_phone(page)
    keep_screenshot(page, "village-tasks-390")
    page.locator("a[href*='/screening/tasks/']", has_text="陈建国").first.click()
    page.wait_for_url("**/screening/tasks/*/")
    fits_the_phone(page)
    keep_screenshot(page, "village-task-390")
    page.check("input[name=outcome][value=found_in_city]")
    page.fill("#id_found_where", "家中")
    page.select_option("#id_measure", "home_quarantine")
    page.click("form:has(input[name=outcome]) button[type=submit]")
    page.wait_for_url("**/screening/tasks/")
    assert page.locator(".messages li.success").count() == 1


def test_a_sampler_scans_a_tube_on_a_phone(world, live_server, open_page):
    identity = resident_id("19900101", 333)
    Person.objects.create(name="黄志强", identity_number=identity, village=world.village)
    site(world.village)
    under_way = round_([world.county], pool_size=10)

    page = open_page(PHONE)
    log_in(page, live_server.url, world.tracer)
    page.goto(f"{live_server.url}/testing/scan/")
    # The round under way is chosen already.
    assert page.locator("select[name=round]").input_value() == str(under_way.pk)
    page.fill("#tube", "T20210913001")
    page.press("#tube", "Enter")
    page.fill("#code", identity)
    page.click("#scan-form button[type=submit]")
    page.wait_for_selector("#scan-result .count")
    assert page.locator("#scan-result .count").inner_text() == "T20210913001: 1 / 10"
    assert page.locator("#code").input_value() == ""
    fits_the_phone(page)
    keep_screenshot(page, "sampler-scan-390")


def test_the_commander_clicks_from_a_figure_to_its_list(world, live_server, open_page):
    the_case = case(world.village)
    name = the_case.person.name
    with translation.override("zh-hans"):
        heading = "流调"

    page = open_page()
    log_in(page, live_server.url, world.commander)
    assert page.url == f"{live_server.url}/"
    cases = page.locator('a[data-figure="tracing.cases"]')
    assert cases.locator(".value").inner_text() == "1"
    assert heading in page.locator('[data-group="tracing"] h2').inner_text()
    keep_screenshot(page, "commander-dashboard-1440")
    cases.click()
    page.wait_for_url("**/tracing/")
    assert page.locator("table", has_text=name).count() == 1
    keep_screenshot(page, "commander-cases-1440")
