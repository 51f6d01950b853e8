"""Persons, households and identity numbers for the person index's tests."""

from __future__ import annotations

import datetime as dt
import itertools

from zhanyi.engine.identity import check_char
from zhanyi.people.models import Household, Person, SourceRecord

_sequence = itertools.count(101, 2)  # odd: male


def resident_id(birth: str = "19900101", seq: int | None = None, division: str = "350602") -> str:
    """A valid 18-character number; ``seq`` odd for a man, even for a woman."""
    seq = next(_sequence) % 1000 if seq is None else seq
    first17 = f"{division}{birth}{seq:03d}"
    return first17 + check_char(first17)


def with_bad_check_char(number: str) -> str:
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


def make_household(village, address: str = "东铺头社区1号", **extra) -> Household:
    return Household.objects.create(village=village, address=address, **extra)


def make_person(village, name: str = "张三", **extra) -> Person:
    """A person stored directly (not through an action), with one source record."""
    if "identity_number" not in extra:
        extra["identity_number"] = resident_id()
    if extra["identity_number"] and extra.get("identity_type", "resident_id") == "resident_id":
        number = extra["identity_number"]
        extra.setdefault(
            "birth_date", dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        )
        extra.setdefault("sex", "male" if int(number[16]) % 2 else "female")
    person = Person.objects.create(village=village, name=name, **extra)
    SourceRecord.objects.create(person=person, source="manual", payload={"name": name})
    return person


def person_data(village, **overrides) -> dict:
    """Input for ``do_create_person`` as a form or the API would give it."""
    data = {
        "name": "李四",
        "identity_type": "resident_id",
        "identity_number": resident_id("19850315", 124),
        "sex": "female",
        "birth_date": "1985-03-15",
        "phone": "138 1234 5678",
        "address": "东铺头社区2号",
        "village": village,
    }
    data.update(overrides)
    return data


def synthetic_city_rows(
    village_codes: list[str], people: int, *, per_household: int = 3, first_id: int = 1
) -> tuple[list[dict], list[dict]]:
    """Household and person rows shaped like the synthetic city's tables."""
    households, persons = [], []
    for i in range(people):
        person_id = first_id + i
        household_id = first_id + i // per_household
        village = village_codes[household_id % len(village_codes)]
        if i % per_household == 0:
            households.append(
                {
                    "household_id": household_id,
                    "village_code": village,
                    "grid_code": None,
                    "address": f"{village} {household_id}号",
                    "cell_id": household_id % 97,
                    "place_id": None,
                }
            )
        # Unique (birth date, sequence) pairs for up to 25 million persons.
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=(person_id // 1000 * 37) % 25000)
        seq = person_id % 1000
        persons.append(
            {
                "person_id": person_id,
                "identity_number": resident_id(birth.strftime("%Y%m%d"), seq),
                "name": f"测试{person_id}",
                "sex": "male" if seq % 2 else "female",
                "birth_date": birth,
                "phone": f"139{person_id:08d}",
                "household_id": household_id,
                "village_code": village,
                "address": f"{village} {household_id}号",
            }
        )
    return households, persons
