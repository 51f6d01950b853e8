"""The demo's story clock (zhanyi.core.clock)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.checks import run_checks
from django.utils import timezone

from zhanyi.core import clock

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
STORY = dt.datetime(2021, 9, 30, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture
def story_clock():
    yield
    clock.stop()


def test_a_process_follows_the_story_from_where_it_has_got_to(story_clock):
    # The setting was written a minute ago: the story is a minute on.
    value = clock.setting_for(STORY, time.time() - 60)
    clock.follow(value)
    now = timezone.now()
    assert dt.timedelta(seconds=59) <= now - STORY < dt.timedelta(seconds=65)
    assert clock.is_story_time()
    # And it runs on at the normal pace.
    time.sleep(0.05)
    assert timezone.now() > now


def test_stopping_returns_to_the_real_clock(story_clock):
    clock.follow(clock.setting_for(STORY))
    clock.stop()
    assert not clock.is_story_time()
    assert timezone.now().year >= 2026


def test_no_setting_moves_nothing(story_clock, monkeypatch):
    monkeypatch.delenv(clock.ENV, raising=False)
    assert clock.follow() is None
    assert not clock.is_story_time()


@pytest.mark.parametrize("value", ["2021-09-30T12:00", "2021-09-30T12:00+08:00", "soon@1"])
def test_a_malformed_setting_says_what_is_expected(story_clock, value):
    with pytest.raises(clock.ClockSettingError, match="ZHANYI_CLOCK"):
        clock.follow(value if "@" in value or "+" in value else value + "@1")


def test_pages_show_the_demo_clock_and_production_refuses_it(
    story_clock, world, client_for, settings
):
    clock.follow(clock.setting_for(STORY))
    page = client_for(world.commander).get("/").content.decode()
    assert '演示时钟</span> <span class="story-clock-year">2021-</span>09-30 12:0' in page
    settings.DEBUG = False
    assert "zhanyi.E003" in [e.id for e in run_checks(include_deployment_checks=True)]
    clock.stop()
    assert "演示时钟" not in client_for(world.commander).get("/").content.decode()


def test_a_block_runs_at_a_moment_of_the_story_and_the_clock_comes_back():
    before = timezone.now()
    with clock.running_at(STORY):
        inside = timezone.now()
        assert dt.timedelta(0) <= inside - STORY < dt.timedelta(seconds=5)  # ticking on
    assert timezone.now() >= before
    with pytest.raises(clock.ClockSettingError), clock.running_at(STORY.replace(tzinfo=None)):
        pass
