"""Editing a person on the web."""

from __future__ import annotations

from zhanyi.people.models import PersonChange

from .factories import make_person, resident_id

NUMBER = resident_id("19900101", 123)


def form_from(person, **overrides):
    data = {
        "name": person.name,
        "identity_type": person.identity_type,
        "identity_number": "",
        "nationality": person.nationality,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "phone": "",
        "village": person.village_id,
        "address": person.address,
        "reason": "入户核实",
    }
    data.update(overrides)
    return data


def test_it_saves_a_change_with_its_reason(world, client_for):
    person = make_person(world.village, "张三", identity_number=NUMBER)
    response = client_for(world.tracer).post(
        f"/people/{person.pk}/edit/",
        form_from(person, identity_number=NUMBER, address="东铺头社区5号"),
    )
    assert response.status_code == 302
    change = PersonChange.objects.get(kind="updated")
    assert change.changes == {"address": ["", "东铺头社区5号"]} and change.reason == "入户核实"


def test_a_village_member_edits_without_seeing_the_number_and_it_stays(world, client_for):
    person = make_person(world.village, "张三", identity_number=NUMBER, phone="+8613812345678")
    client = client_for(world.village_member)
    page = client.get(f"/people/{person.pk}/edit/").content.decode()
    assert NUMBER not in page
    client.post(
        f"/people/{person.pk}/edit/", form_from(person, phone="138 1234 5678", address="新地址")
    )
    person.refresh_from_db()
    assert person.identity_number == NUMBER and person.address == "新地址"


def test_a_bad_phone_is_refused_next_to_the_field(world, client_for):
    person = make_person(world.village, "张三")
    page = (
        client_for(world.tracer)
        .post(f"/people/{person.pk}/edit/", form_from(person, phone="1381234567890123"))
        .content.decode()
    )
    assert "has too many digits" in page
    assert not PersonChange.objects.filter(kind="updated").exists()


def test_other_counties_and_readers_cannot_edit(world, client_for):
    person = make_person(world.village, "张三")
    url = f"/people/{person.pk}/edit/"
    assert client_for(world.other_county_staff).get(url).status_code == 404
    assert client_for(world.leader).get(url).status_code == 403
    assert client_for(world.admin).post(url, form_from(person)).status_code == 403
