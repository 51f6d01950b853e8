"""The epidemic curve and Rt of an area: page, API and command line."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse

from zhanyi.command.curve import epidemic_curve
from zhanyi.engine.epi.rt import estimate_rt
from zhanyi.tracing.tests.factories import case

pytestmark = pytest.mark.django_db

#: Cases per onset day (1 … 20 September) in 芗城区, and two in 龙海区.
XIANGCHENG = [1, 0, 1, 2, 1, 2, 3, 2, 4, 3, 5, 4, 6, 5, 7, 6, 8, 9, 8, 10]


@pytest.fixture
def outbreak(world):
    for i, n in enumerate(XIANGCHENG):
        for _ in range(n):
            case(world.village, day=i + 2)  # onset the day before: 1 … 20 September
    case(world.other_village, day=10)
    case(world.other_village, day=11)
    return world


def test_the_curve_counts_cases_by_onset_for_each_county_and_rt_is_the_engines(outbreak):
    world = outbreak
    curve = epidemic_curve(world.city, by="onset")
    assert curve.days[0] == dt.date(2021, 9, 1) and curve.days[-1] == dt.date(2021, 9, 20)
    parts = {area.code: counts for area, counts in curve.parts}
    assert parts[world.county.code] == XIANGCHENG
    assert sum(parts[world.other_county.code]) == 2
    assert parts[world.other_county.code][8:10] == [1, 1]
    total = np.array(XIANGCHENG)
    total[8:10] += 1
    assert curve.total == total.tolist()
    expected = estimate_rt(total, mean_si=4.8, std_si=2.3)
    np.testing.assert_allclose(curve.rt[7:], expected.mean[0], rtol=0, atol=1e-6)
    np.testing.assert_allclose(curve.rt_high[7:], expected.quantiles[0.975][0], atol=1e-6)
    assert curve.rt[:7] == [None] * 7
    assert curve.doubling_days is not None and curve.doubling_days > 0
    assert len(curve.projection) == 7


def test_by_report_date_and_a_county_alone(outbreak):
    world = outbreak
    curve = epidemic_curve(world.other_county, by="report")
    assert curve.days == [dt.date(2021, 9, 10), dt.date(2021, 9, 11)]
    assert curve.total == [1, 1]
    assert curve.rt == [None, None]  # too short for a weekly window


def test_the_page_and_the_api_are_scoped_and_refuse_an_outsider(outbreak, client_for, api_for):
    world = outbreak
    page = client_for(world.commander).get(reverse("command:curve"))
    assert page.status_code == 200
    assert page.context["curve"].area == world.city
    assert 'id="curve-data"' in page.content.decode()
    api = api_for(world.tracer).get("/api/v1/command/curve/", {"by": "report"})
    assert api.status_code == 200
    assert api.json()["area"] == world.county.code
    assert sum(api.json()["total"]) == sum(XIANGCHENG)
    other = api_for(world.tracer).get("/api/v1/command/curve/", {"area": world.other_county.code})
    assert other.status_code == 403
    assert client_for(world.outsider).get(reverse("command:curve")).status_code == 403
    bad = api_for(world.commander).get("/api/v1/command/curve/", {"by": "moon"})
    assert bad.status_code == 400 and "by" in bad.json()


def test_the_command_line_prints_the_curve_as_json(outbreak, capsys):
    call_command("curve", "--by", "onset", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["area"] == outbreak.city.code
    assert sum(data["total"]) == sum(XIANGCHENG) + 2
    assert data["rt"]["mean"][-1] == pytest.approx(epidemic_curve(outbreak.city).rt[-1])
