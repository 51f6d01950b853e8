"""Adding a person on the web: field errors, duplicates offered, source record added."""

from __future__ import annotations

from zhanyi.people.models import Person, SourceRecord

from .factories import make_person, resident_id, with_bad_check_char


def form_data(world, **overrides):
    data = {
        "name": "李四",
        "identity_type": "resident_id",
        "identity_number": resident_id("19850315", 124),
        "nationality": "",
        "sex": "unknown",
        "birth_date": "",
        "phone": "138 1234 5678",
        "village": world.village.pk,
        "address": "东铺头社区2号",
    }
    data.update(overrides)
    return data


def test_it_creates_a_person_and_opens_their_page(world, client_for):
    response = client_for(world.tracer).post("/people/new/", form_data(world))
    person = Person.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/people/{person.pk}/"
    assert (person.sex, str(person.birth_date)) == ("female", "1985-03-15")


def test_a_bad_check_digit_is_shown_next_to_the_identity_number(world, client_for):
    number = with_bad_check_char(resident_id("19850315", 124))
    page = (
        client_for(world.tracer)
        .post("/people/new/", form_data(world, identity_number=number))
        .content.decode()
    )
    assert "check character" in page and "has-error" in page
    assert not Person.objects.exists()


def test_a_possible_duplicate_is_offered_and_can_receive_the_record(world, client_for):
    existing = make_person(world.village, "李四", identity_number="", birth_date="1985-03-15")
    client = client_for(world.tracer)
    data = form_data(world, identity_number="", birth_date="1985-03-15")
    page = client.post("/people/new/", data).content.decode()
    assert "may be in the index already" in page and f"/people/{existing.pk}/" in page
    assert "same name and birth date" in page
    response = client.post("/people/new/", {**data, "same_as": existing.pk})
    assert response["Location"] == f"/people/{existing.pk}/"
    assert Person.objects.count() == 1
    assert SourceRecord.objects.filter(person=existing, source="manual").count() == 2


def test_a_different_person_with_the_same_name_can_be_created_on_purpose(world, client_for):
    make_person(world.village, "李四", identity_number="", birth_date="1985-03-15")
    data = form_data(world, identity_number="", birth_date="1985-03-15")
    response = client_for(world.tracer).post("/people/new/", {**data, "force": "1"})
    assert response.status_code == 302 and Person.objects.count() == 2


def test_the_village_list_offers_only_villages_in_the_jurisdiction(world, client_for):
    page = client_for(world.village_member).get("/people/new/").content.decode()
    assert "东铺头社区" in page and "南昌社区" not in page and "新华社区" not in page


def test_a_leader_cannot_add_people(world, client_for):
    assert client_for(world.leader).get("/people/new/").status_code == 403
    assert client_for(world.leader).post("/people/new/", form_data(world)).status_code == 403


def test_a_village_team_member_finds_their_village_chosen(world, client_for):
    page = client_for(world.village_member).get("/people/new/").content.decode()
    assert f'<input type="hidden" name="village" value="{world.village.pk}">' in page
