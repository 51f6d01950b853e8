"""The search page: live results, jurisdiction, masking, audit."""

from __future__ import annotations

from zhanyi.core.models import AuditEvent

from .factories import make_person, resident_id

NUMBER = resident_id("19900101", 123)


def people(world):
    mine = make_person(world.village, "张三", identity_number=NUMBER, phone="+8613812345678")
    make_person(world.other_village, "张四")
    return mine


def test_it_finds_a_person_by_name_and_masks_numbers_for_a_leader(world, client_for):
    people(world)
    page = client_for(world.leader).get("/people/", {"q": "张"}).content.decode()
    assert "张三" in page and "张四" in page  # the leader's jurisdiction is the city
    assert NUMBER not in page and "3506**********" in page
    assert "138****5678" in page


def test_it_shows_full_numbers_to_a_tracer(world, client_for):
    people(world)
    page = client_for(world.tracer).get("/people/", {"q": "张三"}).content.decode()
    assert NUMBER in page and "138 1234 5678" in page


def test_a_village_team_member_sees_full_phones_but_masked_identity_numbers(world, client_for):
    people(world)
    page = client_for(world.village_member).get("/people/", {"q": "5678"}).content.decode()
    assert "张三" in page and "138 1234 5678" in page and NUMBER not in page


def test_results_are_scoped_to_the_users_county(world, client_for):
    people(world)
    page = client_for(world.tracer).get("/people/", {"q": "张"}).content.decode()
    assert "张三" in page and "张四" not in page
    page = client_for(world.other_county_staff).get("/people/", {"q": "张"}).content.decode()
    assert "张四" in page and "张三" not in page


def test_htmx_requests_get_the_results_fragment(world, client_for):
    people(world)
    response = client_for(world.tracer).get("/people/", {"q": "张"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "张三" in body and "<html" not in body


def test_a_number_search_needs_four_digits(world, client_for):
    people(world)
    page = client_for(world.tracer).get("/people/", {"q": "123"}).content.decode()
    assert "Type at least 4 digits" in page and "张三" not in page


def test_every_search_is_audited_with_its_words(world, client_for):
    people(world)
    client_for(world.tracer).get("/people/", {"q": "张三"})
    event = AuditEvent.objects.get(action="person.search")
    assert event.actor == world.tracer
    assert event.detail["q"] == "张三" and event.detail["results"] == 1
    assert event.path.startswith("/people/")


def test_an_outsider_is_refused(world, client_for):
    people(world)
    assert client_for(world.outsider).get("/people/", {"q": "张"}).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(world, client):
    response = client.get("/people/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_results_are_paginated_without_a_query_per_row(
    world, client_for, django_assert_max_num_queries
):
    for i in range(30):
        make_person(world.village, f"王{i}", identity_number="")
    client = client_for(world.tracer)
    with django_assert_max_num_queries(12):
        page = client.get("/people/").content.decode()
    assert "王0" in page and "王29" not in page
    assert "王29" in client.get("/people/", {"page": 2}).content.decode()
