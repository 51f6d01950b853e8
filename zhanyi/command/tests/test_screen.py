"""The big screen (大屏): dark, refreshing itself, read from the figure cache."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from django.urls import reverse

from zhanyi.tracing.tests.factories import case

pytestmark = pytest.mark.django_db


def _cases_shown(page) -> int:
    html = page.content.decode()
    start = html.index('data-figure="tracing.cases"')
    value = html[start:].split('class="value">', 1)[1].split("<", 1)[0]
    return int(value.replace(",", ""))


@override_settings(FIGURE_CACHE_SECONDS=30)
def test_screens_of_one_area_share_one_computation_until_it_is_refreshed(world, client_for):
    case(world.village, day=14)
    screen = client_for(world.commander)
    first = screen.get(reverse("command:screen"))
    assert first.status_code == 200
    html = first.content.decode()
    assert 'class="screen"' in html and 'hx-trigger="every 30s"' in html
    assert _cases_shown(first) == 1
    curve = json.loads(html.split('id="curve-data" type="application/json">', 1)[1].split("<")[0])
    assert sum(curve["total"]) == 1
    case(world.village, day=15)
    again = screen.get(reverse("command:screen"), HTTP_HX_REQUEST="true")
    assert "<html" not in again.content.decode()  # the fragment HTMX swaps in
    assert _cases_shown(again) == 1  # from the cache, as every other screen reads it
    fresh = screen.get(reverse("command:screen"), {"fresh": "1"})
    assert _cases_shown(fresh) == 2
    assert "curve-note" not in fresh.content.decode()  # every case is on the curve


def test_a_county_screen_shows_its_county_and_an_outsider_is_refused(world, client_for):
    case(world.other_village, day=14)
    page = client_for(world.tracer).get(reverse("command:screen"))
    assert page.context["area"] == world.county
    assert _cases_shown(page) == 0
    assert client_for(world.outsider).get(reverse("command:screen")).status_code == 403


def test_cases_without_an_onset_date_are_told_under_the_curve(world, client_for):
    case(world.village, day=14)
    case(world.village, day=15, classification="asymptomatic", onset_date=None)
    html = client_for(world.commander).get(reverse("command:screen")).content.decode()
    curve = json.loads(html.split('id="curve-data" type="application/json">', 1)[1].split("<")[0])
    assert sum(curve["total"]) == 1 and curve["undated"] == 1
    assert "另有1例未记录发病日期" in html  # Simplified Chinese, the default
