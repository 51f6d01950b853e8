import pytest

from zhanyi.core import audit

URL = "/accounts/audit/"


@pytest.fixture
def events(world):
    return [
        audit.record(actor=world.tracer, action="person.viewed", object_label="张三"),
        audit.record(actor=world.other_county_staff, action="person.viewed", object_label="李四"),
    ]


def test_an_outsider_is_refused(world, client_for, events):
    assert client_for(world.outsider).get(URL).status_code == 403


def test_staff_and_leaders_are_refused(world, client_for, events):
    assert client_for(world.tracer).get(URL).status_code == 403
    assert client_for(world.leader).get(URL).status_code == 403


def test_a_county_admin_sees_only_their_countys_events(world, client_for, county_admin, events):
    response = client_for(county_admin).get(URL)
    assert response.status_code == 200
    assert "张三" in response.content.decode() and "李四" not in response.content.decode()


def test_it_filters(world, client_for, events):
    response = client_for(world.admin).get(URL, {"actor": "longhai"})
    body = response.content.decode()
    assert "李四" in body and "张三" not in body


def test_an_htmx_request_gets_only_the_table(world, client_for, events):
    response = client_for(world.admin).get(URL, {"action": "person."}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith("<table")
    assert "<html" not in body and "张三" in body


def test_it_pages_fifty_at_a_time(world, client_for):
    for i in range(55):
        audit.record(actor=world.tracer, action="person.viewed", object_label=f"p{i:02d}")
    client = client_for(world.admin)
    first = client.get(URL).content.decode()
    assert "p54" in first and "p04" not in first
    second = client.get(URL, {"page": 2}).content.decode()
    assert "p04" in second and "p54" not in second


def test_a_bad_filter_shows_no_rows_rather_than_everything(world, client_for, events):
    response = client_for(world.admin).get(URL, {"since": "not-a-date"})
    assert response.status_code == 200
    assert "张三" not in response.content.decode()
