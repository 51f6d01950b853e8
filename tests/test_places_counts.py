"""The counts apps above places add to the area pages (zhanyi.places.counts)."""

import pytest

from zhanyi.people.models import Person
from zhanyi.places import counts, queries


def test_each_registered_count_is_summed_per_child_area(world, monkeypatch):
    monkeypatch.setattr(counts, "_COUNTERS", {})
    counts.per_village("visits")(
        lambda path: [(world.village.path, 2), (world.village2.path, 3), ("/elsewhere/", 9)]
    )
    rows = {row["area"].code: row for row in queries.children_with_counts(world.city)}
    assert rows[world.county.code]["visits"] == 5
    assert rows[world.other_county.code]["visits"] == 0
    assert "persons" not in rows[world.county.code]


def test_the_person_index_counts_its_live_persons(world):
    Person.objects.create(name="张三", village=world.village)
    merged_into = Person.objects.create(name="李四", village=world.village2)
    Person.objects.create(name="李四", village=world.village2, merged_into=merged_into)
    rows = {row["area"].code: row for row in queries.children_with_counts(world.township)}
    assert rows[world.village.code]["persons"] == 1
    assert rows[world.village2.code]["persons"] == 1


def test_a_count_is_registered_once(monkeypatch):
    monkeypatch.setattr(counts, "_COUNTERS", {})
    counts.per_village("persons")(lambda path: [])
    with pytest.raises(ValueError, match="registered twice"):
        counts.per_village("persons")(lambda path: [])
