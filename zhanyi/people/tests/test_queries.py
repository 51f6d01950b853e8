"""Searching the index and fetching a person, through the user's jurisdiction."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from zhanyi.people import actions
from zhanyi.people.queries import get_person_for_user, search_persons

from .factories import make_person, resident_id


def names(user, q):
    return sorted(p.name for p in search_persons(user, q))


@pytest.fixture
def index(world):
    x_number = next(n for n in (resident_id("19700101", s) for s in range(1000)) if n[-1] == "X")
    return {
        "zhang": make_person(
            world.village,
            "张三",
            identity_number=resident_id("19900101", 123),
            phone="+8613812345678",
        ),
        "li": make_person(world.village2, "李四", identity_number=x_number, phone="+865962340000"),
        "wang": make_person(world.other_village, "王五", phone="+8613812345678"),
        "unplaced": make_person(None, "张无村", identity_number=""),
    }


def test_by_part_of_the_name(world, index):
    assert names(world.commander, "张") == ["张三", "张无村"]


def test_by_a_full_identity_number_or_its_last_digits(world, index):
    assert names(world.commander, index["zhang"].identity_number) == ["张三"]
    assert names(world.commander, index["zhang"].identity_number[-6:]) == ["张三"]
    assert names(world.commander, index["li"].identity_number[-4:].lower()) == ["李四"]


def test_by_a_phone_typed_in_any_form(world, index):
    assert names(world.commander, "138-1234-5678") == ["张三", "王五"]
    assert names(world.commander, "+86 596 234 0000") == ["李四"]
    assert names(world.commander, "0596 2340000") == ["李四"]


def test_every_word_must_match(world, index):
    assert names(world.commander, "张 5678") == ["张三"]


def test_numbers_shorter_than_four_digits_find_nothing(world, index):
    assert names(world.commander, "678") == []


def test_it_is_scoped_by_jurisdiction(world, index):
    assert names(world.tracer, "5678") == ["张三"]
    assert names(world.village_member, "") == ["张三"]
    assert names(world.other_county_staff, "5678") == ["王五"]


def test_persons_without_a_village_are_for_city_level_users(world, index):
    assert "张无村" in names(world.leader, "张")
    assert "张无村" not in names(world.tracer, "张")


def test_merged_persons_drop_out(world, index):
    actions.do_merge_persons(
        acting_user=world.commander, survivor=index["li"], merged=index["zhang"], reason="同一人"
    )
    assert names(world.commander, "5678") == ["王五"]


def test_an_outsider_may_not_search(world, index):
    with pytest.raises(PermissionDenied):
        search_persons(world.outsider, "张")


def test_get_person_for_user_checks_capability_and_jurisdiction(world, index):
    zhang = index["zhang"]
    assert get_person_for_user(world.tracer, zhang.pk) == zhang
    with pytest.raises(Http404):
        get_person_for_user(world.other_county_staff, zhang.pk)
    with pytest.raises(PermissionDenied):
        get_person_for_user(world.outsider, zhang.pk)
    with pytest.raises(PermissionDenied):
        get_person_for_user(world.leader, zhang.pk, capability="edit_person")
    with pytest.raises(Http404):
        get_person_for_user(world.commander, "not-a-number")
