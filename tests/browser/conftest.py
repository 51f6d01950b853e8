"""Headless Chromium for the browser tests: ``open_page(width)`` and screenshots
kept as test artefacts (``$ZHANYI_SCREENSHOTS``, default ``var/screenshots``)."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

from zhanyi.accounts.testing import PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PHONE = 390
DESKTOP = 1440
SCREENSHOTS = Path(os.environ.get("ZHANYI_SCREENSHOTS", "var/screenshots"))


@pytest.fixture
def open_page():
    """``open_page(width=1440)``: a page in headless Chromium, open until the test ends.

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

        def open_(width: int = DESKTOP):
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
            height = 844 if width <= PHONE else 900
            context = browser.new_context(
                locale="zh-CN",
                viewport={"width": width, "height": height},
                is_mobile=width <= PHONE,
                has_touch=width <= PHONE,
            )
            return context.new_page()

        yield open_


def log_in(page, base_url: str, user) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def keep_screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def fits_the_phone(page) -> None:
    """Nothing scrolls sideways at the phone's width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE, f"{page.url} is {width} px wide"


def pick(page, field_id: str, words: str) -> None:
    """Type into a picker and choose the first match."""
    page.fill(f"#{field_id}", words)
    picker = page.locator(f"#{field_id}").locator("xpath=..")
    first = picker.locator(".picker-results [data-pick]").first
    first.wait_for(timeout=10_000)
    first.click()
    picker.locator(".picker-chosen li").first.wait_for()
