"""One rule for the area a user's figures are computed for (``metrics.area_for``):
the headquarters' queries and the figures API read it, and nobody without a
jurisdiction is given everything (None) but a superuser."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from zhanyi.accounts.testing import make_user
from zhanyi.core import metrics
from zhanyi.people.models import Person


def test_a_superuser_without_a_jurisdiction_gets_every_area(world):
    root = make_user("root", "leader", None, is_superuser=True)
    assert metrics.area_for(root) is None


def test_a_user_without_a_jurisdiction_is_refused_not_given_the_whole_city(world):
    with pytest.raises(PermissionDenied):
        metrics.area_for(world.outsider)


def test_the_api_gives_a_superuser_without_a_jurisdiction_everything(world, api_for):
    Person.objects.create(name="张三", village=world.village)
    Person.objects.create(name="李四", village=world.other_village)
    root = make_user("root", "leader", None, is_superuser=True)
    figures = {f["name"]: f["value"] for f in api_for(root).get("/api/v1/figures/").json()}
    assert figures["people.persons"] == 2
    response = api_for(world.outsider).get("/api/v1/figures/", {"fresh": "1"})
    assert response.status_code == 403
    assert response.json() == {"detail": "no jurisdiction"}
