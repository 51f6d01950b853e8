"""Each role lands on its own work after logging in (issue 16): the commander on
the command view, a tracer on the cases, a sampler on the scan page with the
round under way chosen, a village team member on their task list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhanyi.accounts.models import Headquarters, Role, TaskForce, TaskForceKind
from zhanyi.accounts.testing import PASSWORD, make_user
from zhanyi.testing.models import TestingRound

pytestmark = pytest.mark.django_db


def _staff(world, username: str, kind: str):
    hq, _ = Headquarters.objects.get_or_create(name="市指挥部", area=world.city)
    force = TaskForce.objects.create(headquarters=hq, kind=kind)
    return make_user(username, Role.STAFF, world.county, task_force=force)


def _field(world, username: str, kind: str):
    hq, _ = Headquarters.objects.get_or_create(name="市指挥部", area=world.city)
    force, _ = TaskForce.objects.get_or_create(headquarters=hq, kind=kind)
    return make_user(username, Role.FIELD, world.county, task_force=force)


def _lands(client, user, next_url: str = "") -> str:
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client.get(response.url).url if response.url == "/accounts/start/" else response.url


def test_each_role_lands_on_its_own_work(world, client):
    assert _lands(client, world.commander) == "/"
    client.logout()
    assert _lands(client, world.village_member, next_url="/") == "/screening/tasks/"
    client.logout()
    assert _lands(client, _staff(world, "liudiao", TaskForceKind.INVESTIGATION)) == "/tracing/"
    client.logout()
    assert _lands(client, _staff(world, "caiyang", TaskForceKind.TESTING)) == "/testing/scan/"
    client.logout()
    assert _lands(client, _staff(world, "wuzi", TaskForceKind.LOGISTICS)) == "/supplies/"
    client.logout()
    assert _lands(client, _staff(world, "geli", TaskForceKind.QUARANTINE)) == "/quarantine/"
    client.logout()
    # In the field: a checkpoint officer on the check form, a sampler on the
    # scan page, a driver on their trips.
    assert _lands(client, _field(world, "chayan", TaskForceKind.LOCKDOWN)) == "/checkpoints/check/"
    client.logout()
    assert _lands(client, _field(world, "caiyang2", TaskForceKind.TESTING)) == "/testing/scan/"
    client.logout()
    assert _lands(client, _field(world, "siji", TaskForceKind.TRANSFER)) == "/quarantine/driver/"
    client.logout()
    # A page asked for before logging in still wins over the landing page.
    assert _lands(client, world.village_member, next_url="/people/") == "/people/"


def test_the_scan_page_offers_the_round_under_way_chosen(world, client_for):
    now = timezone.now()
    over = TestingRound.objects.create(
        name="上一轮",
        kind="sealed_zone",
        area=world.county,
        pool_size=10,
        starts_at=now - dt.timedelta(days=3),
        ends_at=now - dt.timedelta(days=2),
    )
    open_ = TestingRound.objects.create(
        name="这一轮",
        kind="sealed_zone",
        area=world.county,
        pool_size=10,
        starts_at=now - dt.timedelta(hours=2),
        ends_at=now + dt.timedelta(hours=10),
    )
    page = client_for(world.tracer).get("/testing/scan/").content.decode()
    assert f'<option value="{open_.pk}" selected>' in page
    assert over.name not in page
    assert 'name="pool_size"' in page


def test_the_phones_first_tab_is_named_after_the_field_work_it_opens(world, client_for):
    def first_tab(user):
        page = client_for(user).get("/accounts/start/", follow=True)
        first = page.context["tab_items"][0]
        return first["label"], first["url"], first["active"]

    assert first_tab(world.village_member) == ("我的任务", "/screening/tasks/", True)
    officer = _field(world, "chayan", TaskForceKind.LOCKDOWN)
    assert first_tab(officer) == ("登记查验", "/checkpoints/check/", True)
    assert first_tab(_field(world, "siji", TaskForceKind.TRANSFER))[0] == "我的车次"
