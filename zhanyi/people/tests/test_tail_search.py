"""Searching by the last digits (尾号): the ``tail`` lookup finds what ``endswith``
finds, and on PostgreSQL the search reads the indexes on the reversed numbers."""

from __future__ import annotations

import json
import random

import pytest
from django.db import connection

from zhanyi.core.db import dialect
from zhanyi.people.models import Person
from zhanyi.people.queries import search_persons
from zhanyi.people.tails import INDEXES

from .factories import make_person, resident_id


def ids(qs) -> list[int]:
    return sorted(qs.values_list("id", flat=True))


@pytest.fixture
def numbers(world):
    """Persons whose numbers share endings, some with LIKE's special characters."""
    x_number = next(n for n in (resident_id("19700101", s) for s in range(1000)) if n[-1] == "X")
    made = [
        make_person(world.village, "甲", identity_number=resident_id("19900101", 123)),
        make_person(world.village, "乙", identity_number=x_number, phone="+8613812345678"),
        make_person(world.village2, "丙", identity_type="other", identity_number="AB_1234"),
        make_person(world.village2, "丁", identity_type="other", identity_number="ABC1234"),
        make_person(world.village2, "戊", identity_type="other", identity_number="AB%1234"),
        make_person(world.village2, "己", identity_type="other", identity_number="AB\\1234"),
        make_person(world.other_village, "庚", identity_number="", phone="+865962345678"),
    ]
    return made


@pytest.mark.parametrize(
    "field,tail",
    [
        ("identity_number", "1234"),
        ("identity_number", "_1234"),
        ("identity_number", "%1234"),
        ("identity_number", "\\1234"),
        ("identity_number", "C1234"),
        ("identity_number", "X"),
        ("identity_number", "0101123"),
        ("phone", "5678"),
        ("phone", "812345678"),
        ("phone", "+8613812345678"),
        ("phone", "0000"),
    ],
)
def test_tail_finds_exactly_what_endswith_finds(world, numbers, field, tail):
    tail_ids = ids(Person.objects.filter(**{f"{field}__tail": tail}))
    endswith_ids = ids(Person.objects.filter(**{f"{field}__endswith": tail}))
    assert tail_ids == endswith_ids


def test_like_wildcards_in_the_tail_are_taken_literally(world, numbers):
    found = Person.objects.filter(identity_number__tail="_1234").values_list("name", flat=True)
    assert list(found) == ["丙"]
    found = Person.objects.filter(identity_number__tail="\\1234").values_list("name", flat=True)
    assert list(found) == ["己"]


def test_tail_follows_a_relation_like_any_lookup(world, numbers):
    from zhanyi.people.models import SourceRecord

    records = SourceRecord.objects.filter(person__phone__tail="2345678")
    assert sorted(r.person.name for r in records) == ["乙", "庚"]


def test_a_search_by_last_digits_is_still_scoped(world, numbers):
    assert sorted(p.name for p in search_persons(world.commander, "5678")) == ["乙", "庚"]
    assert [p.name for p in search_persons(world.tracer, "5678")] == ["乙"]
    assert [p.name for p in search_persons(world.other_county_staff, "5678")] == ["庚"]


# ------------------------------------------------------------------ PostgreSQL's plan

pg_only = pytest.mark.skipif(
    not dialect.is_postgresql(), reason="the indexes and their plans are PostgreSQL's"
)

CITY_SIZE = 6000


def _random_city(world, n: int) -> None:
    """``n`` persons with random resident numbers and mobile phones, analysed."""
    rng = random.Random(20210916)
    villages = [world.village, world.village2, world.other_village]
    people = []
    for i in range(n):
        number = resident_id(
            f"{rng.randint(1930, 2020)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
            rng.randrange(1000),
            division=rng.choice(("350602", "350603", "350681", "350623")),
        )
        people.append(
            Person(
                identity_number=number,
                name=f"居民{i}",
                phone=f"+861{rng.choice('3589')}{rng.randrange(10**9):09d}",
                village=villages[i % 3],
            )
        )
    Person.objects.bulk_create(people, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE people_person")


def _plan(queryset) -> dict:
    with connection.cursor() as cursor:
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        return cursor.fetchone()[0][0]["Plan"]


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


@pg_only
def test_the_tail_indexes_exist_with_the_pattern_operator_class(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'people_person'"
        )
        defs = dict(cursor.fetchall())
    for name, column in INDEXES.items():
        assert f"(reverse(({column})::text) text_pattern_ops)" in defs[name]


@pg_only
@pytest.mark.parametrize("q", ["1234", "2345 678X", "0000"])
def test_a_search_by_last_digits_reads_both_tail_indexes_and_never_the_whole_table(world, q):
    _random_city(world, CITY_SIZE)
    for user in (world.commander, world.tracer):
        qs = search_persons(user, q)
        for page_query in (qs, qs[:20]):  # the paginator's count and its first page
            nodes = list(_nodes(_plan(page_query)))
            used = {n.get("Index Name") for n in nodes}
            assert set(INDEXES) <= used, json.dumps(nodes, indent=1)
            scanned = [n for n in nodes if n["Node Type"] == "Seq Scan"]
            assert all(n["Relation Name"] != "people_person" for n in scanned)


@pg_only
def test_the_old_endswith_form_could_not_use_them(world):
    """The check above can fail: ``endswith`` on the same table reads it all."""
    _random_city(world, CITY_SIZE)
    qs = Person.objects.filter(identity_number__endswith="1234")
    nodes = list(_nodes(_plan(qs)))
    assert not set(INDEXES) & {n.get("Index Name") for n in nodes}
    assert any(n.get("Relation Name") == "people_person" for n in nodes)
    assert "Seq Scan" in {n["Node Type"] for n in nodes}
