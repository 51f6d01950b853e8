import pytest

from zhanyi.accounts.demo import (
    DemoAreaMissing,
    NotADemoDatabase,
    create_demo_accounts,
    is_demo_database,
    join_task_forces,
    mark_demo_database,
)
from zhanyi.accounts.models import (
    DemoAccount,
    DemoDatabase,
    Headquarters,
    Role,
    TaskForce,
    TaskForceKind,
    User,
)
from zhanyi.accounts.testing import make_area
from zhanyi.core.models import AuditEvent
from zhanyi.places.models import AreaLevel


@pytest.fixture
def demo_city(db):
    """A city with the areas the personas need, and no users yet."""
    city = make_area("350600", "漳州市", AreaLevel.CITY, "city", None)
    zone = make_area("350681", "台商投资区", AreaLevel.COUNTY, "development_zone", city)
    town = make_area("350681001", "角美镇", AreaLevel.TOWNSHIP, "town", zone)
    village = make_area("350681001001", "福龙社区", AreaLevel.VILLAGE, "community", town)
    return {"city": city, "zone": zone, "village": village}


def test_it_refuses_in_a_database_not_marked_as_a_demo(demo_city):
    assert not is_demo_database()
    with pytest.raises(NotADemoDatabase, match="not marked as a demo"):
        create_demo_accounts(city_code="350600")
    assert not User.objects.exists()


def test_marking_is_idempotent_and_keeps_one_row(db):
    mark_demo_database(seed=1, scale="small")
    mark_demo_database(seed=2, scale="city")
    assert is_demo_database()
    assert list(DemoDatabase.objects.values_list("seed", "scale")) == [(2, "city")]


def test_it_creates_one_account_per_persona_with_a_random_password(demo_city):
    mark_demo_database(seed=20210910, scale="small")
    rows = create_demo_accounts(city_code="350600")
    assert [(u, r, a) for u, r, a, _ in rows] == [
        ("commander", Role.COMMANDER, "漳州市"),
        ("leader", Role.LEADER, "漳州市"),
        ("tracer", Role.STAFF, "台商投资区"),
        ("fivetoone", Role.FIELD, "福龙社区"),
        ("checkpoint", Role.FIELD, "台商投资区"),
        ("sampler", Role.FIELD, "台商投资区"),
        ("quarantine", Role.STAFF, "台商投资区"),
        ("supplies", Role.STAFF, "台商投资区"),
        ("admin", Role.ADMIN, "漳州市"),
    ]
    passwords = [p for *_, p in rows]
    assert len(set(passwords)) == 9 and all(len(p) >= 16 for p in passwords)
    for username, _, _, password in rows:
        assert User.objects.get(username=username).check_password(password)
    assert DemoAccount.objects.count() == 9
    assert User.objects.get(username="fivetoone").jurisdiction == demo_city["village"]
    assert AuditEvent.objects.filter(action="user.created", actor_name="demo").count() == 9


def test_a_second_run_gives_fresh_passwords_to_the_same_accounts(demo_city):
    mark_demo_database(seed=1, scale="small")
    first = {u: p for u, _, _, p in create_demo_accounts(city_code="350600")}
    second = {u: p for u, _, _, p in create_demo_accounts(city_code="350600")}
    assert first.keys() == second.keys() and User.objects.count() == 9
    assert all(first[u] != second[u] for u in first)
    assert User.objects.get(username="tracer").check_password(second["tracer"])


def test_personas_join_the_task_force_of_the_nearest_headquarters(demo_city):
    city_hq = Headquarters.objects.create(name="市指挥部", area=demo_city["city"])
    zone_hq = Headquarters.objects.create(
        name="台商区指挥部", area=demo_city["zone"], parent=city_hq
    )
    TaskForce.objects.create(headquarters=city_hq, kind=TaskForceKind.INVESTIGATION)
    zone_tf = TaskForce.objects.create(headquarters=zone_hq, kind=TaskForceKind.INVESTIGATION)
    mark_demo_database(seed=1, scale="small")
    create_demo_accounts(city_code="350600")
    assert User.objects.get(username="tracer").task_force == zone_tf
    assert User.objects.get(username="commander").task_force is None  # no coordination TF


def test_personas_made_before_the_headquarters_join_their_task_force_after(demo_city):
    """The accounts are made before the replay sets up the headquarters."""
    mark_demo_database(seed=1, scale="small")
    create_demo_accounts(city_code="350600")
    assert User.objects.get(username="checkpoint").task_force is None
    zone_hq = Headquarters.objects.create(name="台商区指挥部", area=demo_city["zone"])
    lockdown = TaskForce.objects.create(headquarters=zone_hq, kind=TaskForceKind.LOCKDOWN)
    assert join_task_forces() == 1
    assert User.objects.get(username="checkpoint").task_force == lockdown
    assert join_task_forces() == 0
    assert AuditEvent.objects.filter(action="user.changed", actor_name="demo").count() == 1


def test_it_refuses_to_take_over_an_account_that_is_not_a_demo_account(demo_city):
    from zhanyi.accounts.testing import make_user

    make_user("leader", Role.LEADER, demo_city["city"])
    mark_demo_database(seed=1, scale="small")
    with pytest.raises(NotADemoDatabase, match="not a demo account"):
        create_demo_accounts(city_code="350600")
    assert not DemoAccount.objects.exists()  # the whole run rolled back


def test_a_missing_area_is_a_clear_error(demo_city):
    mark_demo_database(seed=1, scale="small")
    with pytest.raises(DemoAreaMissing, match="'350699'"):
        create_demo_accounts(city_code="350699")
    demo_city["village"].name = "别的社区"
    demo_city["village"].save(update_fields=["name"])
    with pytest.raises(DemoAreaMissing, match="福龙社区"):
        create_demo_accounts(city_code="350600")
