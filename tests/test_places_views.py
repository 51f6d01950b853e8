import pytest

from zhanyi.people.models import Person
from zhanyi.places.models import Place


def test_the_area_page_shows_children_with_their_people(world, client_for):
    Person.objects.create(name="张三", village=world.village)
    Person.objects.create(name="李四", village=world.village2)
    Person.objects.create(name="王五", village=world.other_village)
    page = client_for(world.tracer).get(f"/places/{world.township.code}/")
    assert page.status_code == 200
    rows = {row["area"].name: row["persons"] for row in page.context["children"]}
    assert rows == {"东铺头社区": 1, "南昌社区": 1}


def test_the_area_list_opens_the_users_own_jurisdiction(world, client_for):
    response = client_for(world.tracer).get("/places/")
    assert response.status_code == 302
    assert response.url == f"/places/{world.county.code}/"


def test_it_refuses_an_area_outside_the_users_jurisdiction(world, client_for):
    client = client_for(world.tracer)
    assert client.get(f"/places/{world.other_county.code}/").status_code == 403
    assert client.get(f"/places/{world.city.code}/").status_code == 403


def test_an_outsider_sees_no_area(world, client_for):
    client = client_for(world.outsider)
    assert client.get("/places/").status_code == 403
    assert client.get(f"/places/{world.village.code}/").status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(world, client):
    response = client.get(f"/places/{world.village.code}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_a_village_page_lists_its_places(world, client_for):
    Place.objects.create(name="东铺头菜市场", kind="market", area=world.village)
    page = client_for(world.village_member).get(f"/places/{world.village.code}/")
    assert "东铺头菜市场" in page.content.decode()


@pytest.mark.parametrize("code", ["nope", "350602001999"])
def test_an_unknown_area_is_not_found(world, client_for, code):
    assert client_for(world.commander).get(f"/places/{code}/").status_code == 404
