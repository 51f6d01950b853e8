"""A person's page: facts, household, source records, history; audited; denied outside."""

from __future__ import annotations

import pytest

from zhanyi.core.models import AuditEvent
from zhanyi.people import actions

from .factories import make_household, make_person, resident_id

NUMBER = resident_id("19900101", 123)


def test_it_shows_facts_household_and_source_records(world, client_for):
    household = make_household(world.village)
    person = make_person(
        world.village, "张三", identity_number=NUMBER, household=household, phone="+8613812345678"
    )
    make_person(world.village, "张小三", household=household)
    actions.do_add_source_record(
        acting_user=world.tracer,
        person=person,
        source="push_list",
        source_ref="莆田协查 0910",
        payload={"姓名": "张三", "身份证号": NUMBER},
    )
    page = client_for(world.tracer).get(f"/people/{person.pk}/").content.decode()
    assert "张小三" in page  # household member
    assert "莆田协查 0910" in page and "身份证号" in page
    assert page.count(NUMBER) >= 2  # facts and the source record, unmasked for a tracer


def test_the_full_number_needs_the_view_identity_capability(world, client_for):
    person = make_person(world.village, "张三", identity_number=NUMBER)
    actions.do_add_source_record(
        acting_user=world.tracer,
        person=person,
        source="lab",
        payload={"id_number": NUMBER, "note": "x"},
    )
    for persona in ("leader", "village_member"):
        page = client_for(getattr(world, persona)).get(f"/people/{person.pk}/").content.decode()
        assert NUMBER not in page  # neither in the facts nor in the source record
        assert "3506**********" in page


def test_every_view_writes_an_audit_record_and_the_page_lists_who_viewed(world, client_for):
    person = make_person(world.village, "张三")
    client_for(world.leader).get(f"/people/{person.pk}/")
    page = client_for(world.tracer).get(f"/people/{person.pk}/").content.decode()
    events = AuditEvent.objects.filter(action="person.view", object_id=str(person.pk))
    assert {e.actor for e in events} == {world.leader, world.tracer}
    assert all(e.ip == "127.0.0.1" and e.object_type == "people.person" for e in events)
    assert "leader" in page


def test_the_history_shows_changes_and_merges(world, client_for):
    person = make_person(world.village, "张三", phone="+8613812345678")
    actions.do_update_person(
        acting_user=world.tracer, person=person, reason="电话核实", changes={"phone": "13900001111"}
    )
    other = make_person(world.village, "张叁")
    actions.do_merge_persons(
        acting_user=world.tracer, survivor=person, merged=other, reason="同一人"
    )
    page = client_for(world.leader).get(f"/people/{person.pk}/").content.decode()
    assert "电话核实" in page and "139****1111" in page and "13900001111" not in page
    assert "同一人" in page and "张叁" in page


def test_a_merged_persons_page_points_at_the_survivor(world, client_for):
    survivor, merged = make_person(world.village, "张三"), make_person(world.village, "张叁")
    m = actions.do_merge_persons(
        acting_user=world.tracer, survivor=survivor, merged=merged, reason="同一人"
    )
    page = client_for(world.tracer).get(f"/people/{merged.pk}/").content.decode()
    assert f"/people/{survivor.pk}/" in page
    assert f"/people/merges/{m.pk}/undo/" in page


@pytest.mark.parametrize(("persona", "status"), [("outsider", 403), ("other_county_staff", 404)])
def test_it_refuses_an_outsider_and_a_user_of_another_county(world, client_for, persona, status):
    person = make_person(world.village, "张三")
    response = client_for(getattr(world, persona)).get(f"/people/{person.pk}/")
    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="person.view").exists()


def test_a_village_team_member_cannot_open_a_person_of_the_next_village(world, client_for):
    person = make_person(world.village2, "王五")
    assert client_for(world.village_member).get(f"/people/{person.pk}/").status_code == 404


def test_a_person_without_a_village_is_visible_at_city_level_only(world, client_for):
    person = make_person(None, "无村")
    assert client_for(world.commander).get(f"/people/{person.pk}/").status_code == 200
    assert client_for(world.tracer).get(f"/people/{person.pk}/").status_code == 404


def test_an_unknown_person_is_not_found(world, client_for):
    assert client_for(world.commander).get("/people/999999/").status_code == 404


def test_the_admin_shows_a_person_masked_read_only_and_audited(world, client_for):
    person = make_person(world.village, "张三", identity_number=NUMBER)
    client = client_for(world.admin)
    page = client.get(f"/admin/people/person/{person.pk}/change/")
    assert page.status_code == 200
    assert NUMBER not in page.content.decode() and "张三" in page.content.decode()
    assert "Entered by hand" in page.content.decode()  # its source records, inline
    assert AuditEvent.objects.filter(action="person.admin_view").count() == 1
    assert client.get("/admin/people/person/add/").status_code == 403
