from rest_framework.test import APIClient

URL = "/api/v1/accounts/me/"


def test_it_describes_the_caller(world, api_for):
    data = api_for(world.village_member).get(URL).json()
    assert data["username"] == "villager"
    assert data["role"] == "field"
    assert data["jurisdiction"] == {
        "code": "350602001001",
        "name": "东铺头社区",
        "level": "village",
    }
    assert data["task_force"] is None
    assert "view_phone" in data["capabilities"] and "view_identity" not in data["capabilities"]


def test_an_anonymous_caller_is_refused(db):
    assert APIClient().get(URL).status_code == 401


def test_an_outsider_has_no_capabilities_beyond_the_role_and_no_jurisdiction(world, api_for):
    data = api_for(world.outsider).get(URL).json()
    assert data["jurisdiction"] is None
