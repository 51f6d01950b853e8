"""The dashboards and the figures API show shared, recently computed values:
each reader gets its own area's, says when they were computed, and may ask
for them computed now; reports (``metrics.compute``) never read the cache."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings

from zhanyi.accounts.testing import make_user
from zhanyi.core import metrics
from zhanyi.people.models import Person

SHANGHAI = ZoneInfo("Asia/Shanghai")


def persons(figures) -> int:
    return {f["name"]: f["value"] for f in figures}["people.persons"]


def test_a_second_load_shows_the_shared_value_and_fresh_computes_it_again(world, client_for):
    Person.objects.create(name="张三", village=world.village)
    client = client_for(world.commander)
    assert persons(client.get("/").context["figures"]) == 1
    Person.objects.create(name="李四", village=world.other_village)
    assert persons(client.get("/").context["figures"]) == 1
    assert persons(client.get("/figures/").context["figures"]) == 1
    assert persons(client.get("/figures/", {"fresh": "1"}).context["figures"]) == 2
    assert persons(client.get("/").context["figures"]) == 2


def test_a_township_reader_of_a_warm_cache_gets_only_its_own_areas_values(world, client_for):
    Person.objects.create(name="张三", village=world.village)
    Person.objects.create(name="李四", village=world.other_village)
    township_staff = make_user("dongputou", "staff", world.township)
    assert persons(client_for(world.commander).get("/").context["figures"]) == 2
    assert persons(client_for(world.tracer).get("/").context["figures"]) == 1
    township = client_for(township_staff).get("/figures/").context["figures"]
    assert persons(township) == 1
    population = {f["name"]: f["value"] for f in township}["places.population"]
    assert population == world.township.population != world.city.population
    assert client_for(world.outsider).get("/figures/").context["figures"] == []


def test_the_api_shares_values_by_area_and_refuses_other_areas_when_warm(world, api_for):
    Person.objects.create(name="张三", village=world.village)
    Person.objects.create(name="李四", village=world.other_village)
    commander = api_for(world.commander)
    assert persons(commander.get("/api/v1/figures/").json()) == 2
    assert persons(commander.get("/api/v1/figures/", {"area": world.county.code}).json()) == 1
    tracer = api_for(world.tracer)
    assert persons(tracer.get("/api/v1/figures/").json()) == 1
    assert tracer.get("/api/v1/figures/", {"area": world.city.code}).status_code == 403
    assert api_for(world.outsider).get("/api/v1/figures/").status_code == 403


def test_the_api_says_when_each_value_was_computed_and_computes_it_again_on_request(world, api_for):
    api = api_for(world.commander)
    before = dt.datetime.now(dt.UTC)
    first = api.get("/api/v1/figures/").json()
    stamps = {dt.datetime.fromisoformat(f["computed_at"].replace("Z", "+00:00")) for f in first}
    assert all(before - dt.timedelta(seconds=1) <= s <= dt.datetime.now(dt.UTC) for s in stamps)
    Person.objects.create(name="张三", village=world.village)
    assert persons(api.get("/api/v1/figures/").json()) == 0
    assert persons(api.get("/api/v1/figures/", {"fresh": "true"}).json()) == 1


def test_a_bad_fresh_value_is_refused_saying_what(world, api_for, client_for):
    response = api_for(world.commander).get("/api/v1/figures/", {"fresh": "soon"})
    assert response.status_code == 400
    assert "fresh" in response.json()
    assert "expected 1 or 0" in response.json()["fresh"][0]
    assert client_for(world.commander).get("/", {"fresh": "soon"}).status_code == 400


def _shown_time(figures) -> str:
    # Local time with the date: "数据截至 07:03" alone left the day to guess (issue 16).
    return figures.as_of.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def test_the_dashboard_says_when_its_figures_were_computed_in_chinese(world, client_for):
    page = client_for(world.commander).get("/")
    html = page.content.decode()
    assert f"数据截至 {_shown_time(page.context['figures'])}" in html
    assert "立即刷新" in html
    assert 'hx-get="/figures/?fresh=1"' in html


def test_the_dashboard_says_when_its_figures_were_computed_in_english(world, client_for):
    client = client_for(world.commander)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/figures/")
    html = page.content.decode()
    assert f"As of {_shown_time(page.context['figures'])}" in html
    assert "Refresh now" in html


def test_every_task_forces_desk_says_when_and_refreshes_keeping_its_filters(world, client_for):
    client = client_for(world.commander)
    for url in ["/tracing/", "/screening/", "/testing/"]:
        page = client.get(url, {"status": "open"})
        html = page.content.decode()
        assert f"数据截至 {_shown_time(page.context['figures'])}" in html, url
        assert re.search(r'href="\?fresh=1&amp;status=open"', html), url


def test_a_desks_fresh_load_computes_its_figures_again(world, client_for):
    from zhanyi.tracing.tests.factories import case

    client = client_for(world.commander)
    before = {f["name"]: f["value"] for f in client.get("/tracing/").context["figures"]}
    case(world.village)
    cached = {f["name"]: f["value"] for f in client.get("/tracing/").context["figures"]}
    fresh = {f["name"]: f["value"] for f in client.get("/tracing/?fresh=1").context["figures"]}
    assert cached["tracing.cases"] == before["tracing.cases"]
    assert fresh["tracing.cases"] == before["tracing.cases"] + 1


def test_reports_compute_fresh_whatever_the_cache_holds(world):
    shown = metrics.shown(["people.persons"], world.city)
    Person.objects.create(name="张三", village=world.village)
    assert persons(metrics.shown(["people.persons"], world.city)) == persons(shown) == 0
    report = metrics.compute(["people.persons"], world.city)
    assert persons(report) == 1
    assert report.as_of > shown.as_of


def test_every_group_of_figures_on_the_command_view_has_a_name_for_users():
    """A figure's group is named after its task force or its app, never by the
    app's internal key (the cold chain's showed "coldchain")."""
    from django.utils import translation

    from zhanyi.command.groups import group_label
    from zhanyi.core import metrics

    keys = {f.name.split(".", 1)[0] for f in metrics.registered()}
    with translation.override("zh-hans"):
        unnamed = [k for k in sorted(keys) if group_label(k) == k or group_label(k).isascii()]
    assert not unnamed, f"groups shown by their key or untranslated: {unnamed}"
