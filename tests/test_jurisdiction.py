from zhanyi.core import jurisdiction
from zhanyi.people.models import Person
from zhanyi.places import queries as place_queries


def test_a_county_user_sees_only_their_county(world):
    names = set(place_queries.visible_areas(world.tracer).values_list("name", flat=True))
    assert "芗城区" in names and "东铺头社区" in names
    assert "龙海区" not in names and "漳州市" not in names


def test_an_outsider_sees_no_area(world):
    assert not place_queries.visible_areas(world.outsider).exists()
    assert not jurisdiction.can_see_area(world.outsider, world.village)


def test_scope_filters_rows_by_the_area_they_belong_to(world):
    inside = Person.objects.create(name="张三", village=world.village)
    Person.objects.create(name="李四", village=world.other_village)
    scoped = jurisdiction.scope(Person.objects.all(), world.village_member, "village__path")
    assert list(scoped) == [inside]
    assert jurisdiction.scope(Person.objects.all(), world.outsider, "village__path").count() == 0
    assert jurisdiction.scope(Person.objects.all(), world.commander, "village__path").count() == 2
