"""Malformed values in URLs and query strings get a 4xx answer, never a 500."""

import pytest

from zhanyi.people.models import Person


@pytest.mark.parametrize(
    "path",
    [
        "/people/?page=abc",
        "/people/?page=-1",
        "/people/?q=%00",
        "/people/{person}/merge/?other=abc",
        "/people/{person}/merge/?other=99999999999999999999",
        "/places/%00/",
        "/accounts/audit/?since=yesterday",
        "/accounts/audit/?page=zz",
        "/accounts/users/?page=zz",
    ],
)
def test_a_malformed_page_request_is_answered_without_a_crash(world, client_for, path):
    person = Person.objects.create(name="张三", village=world.village)
    response = client_for(world.admin if "accounts" in path else world.commander).get(
        path.format(person=person.pk)
    )
    assert response.status_code < 500


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/people/?limit=abc",
        "/api/v1/people/abc/",
        "/api/v1/places/areas/?level=nonsense",
        "/api/v1/places/places/?area=%00",
        "/api/v1/figures/?area=nope",
        "/api/v1/accounts/audit/?since=yesterday",
        "/api/v1/accounts/audit/?object_id=%00",
    ],
)
def test_a_malformed_api_request_is_answered_without_a_crash(world, api_for, path):
    response = api_for(world.admin).get(path)
    assert response.status_code < 500


def test_a_nul_character_is_refused_with_a_clear_message(world, client_for):
    response = client_for(world.commander).get("/people/", {"q": "张\x00三"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode() or "空字符" in response.content.decode()
