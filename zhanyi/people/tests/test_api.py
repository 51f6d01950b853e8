"""The REST API: scoping, masking, audit, validation errors, duplicates, merge and undo."""

from __future__ import annotations

import pytest

from zhanyi.core.models import AuditEvent
from zhanyi.people.models import Person, PersonMerge

from .factories import make_person, resident_id, with_bad_check_char

NUMBER = resident_id("19900101", 123)
URL = "/api/v1/people/"


def body(world, **overrides):
    data = {
        "name": "李四",
        "identity_number": resident_id("19850315", 124),
        "phone": "13812345678",
        "village": world.village.code,
        "source": "lab",
        "source_ref": "漳州市疾控 0916",
    }
    data.update(overrides)
    return data


def test_the_list_is_scoped_to_the_callers_county(world, api_for):
    make_person(world.village, "张三")
    make_person(world.other_village, "张四")
    names = {p["name"] for p in api_for(world.tracer).get(URL).json()["results"]}
    assert names == {"张三"}
    names = {p["name"] for p in api_for(world.other_county_staff).get(URL).json()["results"]}
    assert names == {"张四"}


def test_search_by_the_last_four_digits_of_the_phone(world, api_for):
    make_person(world.village, "张三", phone="+8613812345678")
    make_person(world.village, "李四", phone="+8613900001111")
    found = api_for(world.tracer).get(URL, {"q": "5678"}).json()["results"]
    assert [p["name"] for p in found] == ["张三"]
    assert AuditEvent.objects.get(action="person.search").detail["q"] == "5678"


def test_numbers_are_masked_for_a_leader_and_full_for_a_tracer(world, api_for):
    person = make_person(world.village, "张三", identity_number=NUMBER, phone="+8613812345678")
    led = api_for(world.leader).get(f"{URL}{person.pk}/").json()
    assert led["identity_number"] == "3506************" + NUMBER[-2:]
    assert led["identity_number_masked"] and led["phone"] == "138****5678"
    assert led["birth_date"] is None and led["birth_year"] == 1990
    assert NUMBER not in str(led)  # not in the source records either
    traced = api_for(world.tracer).get(f"{URL}{person.pk}/").json()
    assert traced["identity_number"] == NUMBER and traced["phone"] == "+8613812345678"
    assert traced["birth_date"] == "1990-01-01"
    assert not traced["identity_number_masked"]


def test_reading_a_person_is_audited(world, api_for):
    person = make_person(world.village, "张三")
    api_for(world.tracer).get(f"{URL}{person.pk}/")
    event = AuditEvent.objects.get(action="person.api_view")
    assert (event.actor, event.object_id) == (world.tracer, str(person.pk))


@pytest.mark.parametrize(("persona", "status"), [("outsider", 403), ("other_county_staff", 404)])
def test_outsiders_and_other_counties_are_refused(world, api_for, persona, status):
    person = make_person(world.village, "张三")
    api = api_for(getattr(world, persona))
    assert api.get(f"{URL}{person.pk}/").status_code == status
    assert api.post(
        f"{URL}{person.pk}/merge/", {"merged": person.pk, "reason": "x"}
    ).status_code in (403, 404)


def test_an_outsider_lists_nothing(world, api_for):
    make_person(world.village, "张三")
    assert api_for(world.outsider).get(URL).status_code == 403


def test_a_request_without_a_token_is_refused(world, client):
    assert client.get(URL).status_code in (401, 403)


def test_create_returns_the_person_with_its_source_record(world, api_for):
    response = api_for(world.tracer).post(URL, body(world), format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["birth_date"] == "1985-03-15" and data["sex"] == "female"
    assert data["village"] == {"code": world.village.code, "name": "东铺头社区"}
    assert [(r["source"], r["source_ref"]) for r in data["source_records"]] == [
        ("lab", "漳州市疾控 0916")
    ]


@pytest.mark.parametrize(
    ("override", "field", "reason"),
    [
        ({"identity_number": "3506021990"}, "identity_number", "must have 18 characters"),
        ({"identity_number": with_bad_check_char(NUMBER)}, "identity_number", "check character"),
        ({"birth_date": "1985-03-16"}, "birth_date", "does not match the identity number"),
        ({"sex": "male"}, "sex", "does not match the identity number"),
        ({"phone": "12"}, "phone", "has too few digits"),
        ({"birth_date": "3000-01-01", "identity_number": ""}, "birth_date", "in the future"),
        ({"village": "000000"}, "village", "The village 000000 is unknown"),
    ],
)
def test_validation_errors_name_the_field_and_the_reason(world, api_for, override, field, reason):
    response = api_for(world.tracer).post(URL, body(world, **override), format="json")
    assert response.status_code == 400
    assert reason in " ".join(response.json()[field])
    assert not Person.objects.exists()


def test_a_village_outside_the_jurisdiction_is_a_validation_error(world, api_for):
    response = api_for(world.tracer).post(
        URL, body(world, village=world.other_village.code), format="json"
    )
    assert response.status_code == 400
    assert "outside your jurisdiction" in response.json()["village"][0]


def test_a_duplicate_answers_409_with_the_candidates(world, api_for):
    existing = make_person(world.village, "李四", identity_number="", birth_date="1985-03-15")
    api = api_for(world.tracer)
    response = api.post(
        URL, body(world, identity_number="", birth_date="1985-03-15"), format="json"
    )
    assert response.status_code == 409
    data = response.json()
    assert data["blocking"] is False and "hidden_candidates" not in data
    assert [(c["person"]["id"], c["reasons"]) for c in data["candidates"]] == [
        (existing.pk, ["name_birth_date"])
    ]
    forced = api.post(
        URL, body(world, identity_number="", birth_date="1985-03-15", force=True), format="json"
    )
    assert forced.status_code == 201


def test_a_leader_cannot_create(world, api_for):
    assert api_for(world.leader).post(URL, body(world), format="json").status_code == 403


def test_patch_changes_fields_with_a_reason(world, api_for):
    person = make_person(world.village, "张三")
    api = api_for(world.tracer)
    assert api.patch(f"{URL}{person.pk}/", {"address": "新地址"}, format="json").status_code == 400
    response = api.patch(
        f"{URL}{person.pk}/", {"address": "新地址", "reason": "入户核实"}, format="json"
    )
    assert response.status_code == 200 and response.json()["address"] == "新地址"


def test_a_source_record_is_added_to_an_existing_person(world, api_for):
    person = make_person(world.village, "张三")
    response = api_for(world.village_member).post(
        f"{URL}{person.pk}/source-records/",
        {"source": "push_list", "source_ref": "厦门协查", "payload": {"name": "张三"}},
        format="json",
    )
    assert response.status_code == 201 and person.source_records.count() == 2


def test_merge_and_undo_through_the_api(world, api_for):
    survivor, merged = make_person(world.village, "张三"), make_person(world.village, "张叁")
    api = api_for(world.tracer)
    response = api.post(
        f"{URL}{survivor.pk}/merge/", {"merged": merged.pk, "reason": "同一人"}, format="json"
    )
    assert response.status_code == 201
    merge = response.json()
    assert merge["survivor"] == survivor.pk and merge["merged"] == merged.pk
    assert list(merge["moved"]) == ["people.sourcerecord.person"]
    assert [p["id"] for p in api.get(URL).json()["results"]] == [survivor.pk]
    undone = api.post(f"{URL}merges/{merge['id']}/undo/")
    assert undone.status_code == 200 and undone.json()["undone_by"] == "tracer"
    again = api.post(f"{URL}merges/{merge['id']}/undo/")
    assert again.status_code == 400 and "undone already" in again.json()["non_field_errors"][0]


def test_a_village_team_member_cannot_merge(world, api_for):
    survivor, merged = make_person(world.village, "张三"), make_person(world.village, "张叁")
    response = api_for(world.village_member).post(
        f"{URL}{survivor.pk}/merge/", {"merged": merged.pk, "reason": "同一人"}, format="json"
    )
    assert response.status_code == 403 and not PersonMerge.objects.exists()


def test_the_openapi_schema_documents_the_people_endpoints(world, api_for):
    schema = api_for(world.commander).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert {
        "/api/v1/people/",
        "/api/v1/people/{id}/",
        "/api/v1/people/{id}/merge/",
        "/api/v1/people/merges/{id}/undo/",
    } <= set(paths)
    assert "409" in paths["/api/v1/people/"]["post"]["responses"]


def test_a_number_held_outside_the_jurisdiction_is_not_told_by_the_api(world, api_for):
    """Issue 14, finding 14: the API answered 409 with hidden_candidates: 1."""
    make_person(world.other_village, "王五", identity_number=resident_id("19850315", 124))
    response = api_for(world.tracer).post(URL, body(world), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "identity_number": ["A person with this identity number is already in the index."]
    }
    assert AuditEvent.objects.filter(action="person.match_outside").count() == 1
