"""The bulk import of households and persons (the synthetic city's loader)."""

from __future__ import annotations

import datetime as dt

from zhanyi.core.models import AuditEvent
from zhanyi.people import actions
from zhanyi.people.models import Household, Person, PersonChange, SourceRecord
from zhanyi.places.models import Place

from .factories import resident_id, synthetic_city_rows, with_bad_check_char


def run(world, households, persons, **kw):
    return actions.do_import_persons(
        acting_user=None,
        households=households,
        persons=persons,
        source="synthetic",
        source_ref="small-20210916",
        **kw,
    )


def test_it_loads_households_persons_and_one_source_record_each(world):
    households, persons = synthetic_city_rows([world.village.code, world.village2.code], 50)
    counts = run(world, households, persons, batch_size=7)
    assert (counts.households, counts.persons, counts.source_records) == (17, 50, 50)
    assert (counts.bad_households, counts.bad_persons) == (0, 0)
    assert Person.objects.count() == 50 and Household.objects.count() == 17
    person = Person.objects.select_related("household", "village").get(external_id=4)
    row = persons[3]
    assert person.identity_number == row["identity_number"]
    assert person.phone == "+86" + row["phone"]
    assert person.birth_date == row["birth_date"]
    assert person.household.external_id == row["household_id"]
    assert person.village.code == row["village_code"]
    assert person.created_at is not None
    record = SourceRecord.objects.get(person=person)
    assert (record.source, record.source_ref) == ("synthetic", "small-20210916")
    assert record.payload == {**row, "birth_date": row["birth_date"].isoformat()}
    assert not PersonChange.objects.exists()  # no per-row history
    event = AuditEvent.objects.get(action="person.import")
    assert event.actor_name.startswith("cli:") and event.detail["persons"] == 50
    assert AuditEvent.objects.count() == 1


def test_bad_rows_are_counted_with_row_field_and_reason_and_not_stored(world):
    households, persons = synthetic_city_rows([world.village.code], 6)
    households.append(
        {
            "household_id": 99,
            "village_code": "999999",
            "grid_code": None,
            "address": "x",
            "cell_id": None,
            "place_id": None,
        }
    )
    persons[1]["identity_number"] = with_bad_check_char(persons[1]["identity_number"])
    persons[2]["phone"] = "12"
    persons[3]["birth_date"] = dt.date(2099, 1, 1)
    persons[4]["household_id"] = 99
    counts = run(world, households, persons)
    assert (counts.households, counts.bad_households) == (2, 1)
    assert (counts.persons, counts.bad_persons) == (2, 4)
    problems = {(p["table"], p["row"], p["field"]) for p in counts.problems}
    assert problems == {
        ("households", 3, "village_code"),
        ("persons", 2, "identity_number"),
        ("persons", 3, "phone"),
        ("persons", 4, "birth_date"),
        ("persons", 5, "household_id"),
    }
    phone_problem = next(p for p in counts.problems if p["field"] == "phone")
    assert phone_problem["reason"] == "The phone 12 has too few digits."
    assert set(Person.objects.values_list("external_id", flat=True)) == {1, 6}
    assert SourceRecord.objects.count() == 2


def test_a_birth_date_that_disagrees_with_the_number_is_refused(world):
    households, persons = synthetic_city_rows([world.village.code], 1)
    persons[0]["birth_date"] = persons[0]["birth_date"] + dt.timedelta(days=1)
    counts = run(world, households, persons)
    assert counts.bad_persons == 1 and counts.problems[0]["field"] == "birth_date"


def test_a_rerun_skips_what_is_loaded_already(world):
    households, persons = synthetic_city_rows([world.village.code], 9)
    run(world, households, persons)
    counts = run(world, households, persons)
    assert (counts.households, counts.persons) == (0, 0)
    assert (counts.existing_households, counts.existing_persons) == (3, 9)
    assert Person.objects.count() == 9 and SourceRecord.objects.count() == 9


def test_a_document_already_in_the_index_or_twice_in_the_input_is_refused(world):
    households, persons = synthetic_city_rows([world.village.code], 3)
    persons[2]["identity_number"] = persons[1]["identity_number"]
    persons[2]["birth_date"], persons[2]["sex"] = persons[1]["birth_date"], persons[1]["sex"]
    counts = run(world, households, persons)
    assert counts.persons == 2
    assert counts.problems == [
        {
            "table": "persons",
            "row": 3,
            "field": "identity_number",
            "reason": "Another person in the index holds this identity number.",
        }
    ]


def test_households_resolve_grids_and_places_by_code_and_external_id(world):
    from zhanyi.accounts.testing import make_area

    grid = make_area("350602001001001", "第一网格", "grid", "grid", world.village)
    place = Place.objects.create(
        name="东铺头小区", kind="residential_compound", area=world.village, external_id=4242
    )
    households = [
        {
            "household_id": 1,
            "village_code": world.village.code,
            "grid_code": grid.code,
            "address": "1号",
            "cell_id": 12,
            "place_id": 4242,
        },
        {
            "household_id": 2,
            "village_code": world.village.code,
            "grid_code": None,
            "address": "2号",
            "cell_id": None,
            "place_id": 777,
        },
    ]
    counts = run(world, households, [])
    household = Household.objects.get(external_id=1)
    assert (household.grid, household.place, household.cell_id) == (grid, place, 12)
    assert counts.problems == [
        {
            "table": "households",
            "row": 2,
            "field": "place_id",
            "reason": "The place 777 is unknown.",
        }
    ]


def test_a_person_without_a_village_code_takes_the_households_village(world):
    households, persons = synthetic_city_rows([world.village2.code], 1)
    persons[0]["village_code"] = None
    run(world, households, persons)
    assert Person.objects.get().village == world.village2


def test_sexes_and_dates_arrive_in_the_forms_lists_use(world):
    number = resident_id("19800704", 246)
    persons = [
        {
            "person_id": 1,
            "identity_number": number,
            "name": "林 美",
            "sex": "女",
            "birth_date": "1980-07-04",
            "phone": "",
            "household_id": None,
            "village_code": world.village.code,
            "address": "",
        }
    ]
    counts = run(world, [], persons)
    assert counts.persons == 1
    person = Person.objects.get()
    assert (person.sex, person.birth_date, person.name) == ("female", dt.date(1980, 7, 4), "林 美")
