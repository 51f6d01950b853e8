"""zhanyi.core.fastpath: model instances from hand-written statements, and
one-statement inserts, each against the ORM query or save it stands for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, NotSupportedError, connection, transaction

from zhanyi.core.db import dialect
from zhanyi.core.fastpath import statements, writes
from zhanyi.core.models import PeriodicRun
from zhanyi.places.models import Area


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_a_prepared_statement_loads_the_instances_the_orm_query_loads(world):
    PeriodicRun.objects.create(
        name="loaded", started_at=dt.datetime(2021, 9, 13, tzinfo=dt.UTC), ok=False, runner="r"
    )
    for model, pks in (
        (Area, [world.village.pk, world.city.pk]),
        (get_user_model(), [world.tracer.pk, world.outsider.pk]),
        (PeriodicRun, list(PeriodicRun.objects.values_list("pk", flat=True))),
    ):
        loader = statements.loader(model)
        table = connection.ops.quote_name(model._meta.db_table)
        for pk in pks:
            with statements.cursor() as cursor:
                cursor.execute(f"SELECT {loader.select('x')} FROM {table} x WHERE x.id = %s", [pk])
                loaded = loader.load(cursor.fetchone())
            expected = model.objects.get(pk=pk)
            assert type(loaded) is model and loaded._state.adding is False
            assert loaded._state.db == expected._state.db
            assert _fields(loaded) == _fields(expected), (model, pk)


def test_an_insert_stores_the_row_save_stores(world):
    at = dt.datetime(2021, 9, 13, 8, 30, tzinfo=dt.UTC)
    made = [PeriodicRun(name=f"same{i}", started_at=at, ok=True, runner="s") for i in (1, 2)]
    made[0].save(force_insert=True)
    assert writes.insert(made[1]) is True
    rows = [PeriodicRun.objects.filter(pk=m.pk).values().get() for m in made]
    for row in rows:
        del row["id"], row["name"]
    assert rows[0] == rows[1]
    assert made[1]._state.adding is False and made[1]._state.db == made[0]._state.db


def test_datetimes_and_booleans_are_converted_as_the_orm_converts_them(db):
    at = dt.datetime(2021, 9, 13, 8, 30, tzinfo=dt.UTC)
    run = PeriodicRun(name="rows.test", started_at=at, finished_at=at, ok=True, runner="s")
    assert writes.insert(run) is True and run.pk is not None
    loader = statements.loader(PeriodicRun)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {loader.select('x')} FROM {PeriodicRun._meta.db_table} x WHERE x.id = %s",
            [run.pk],
        )
        loaded = loader.load(cursor.fetchone())
    assert loaded.started_at == at and loaded.started_at.tzinfo is not None
    assert loaded.ok is True


def test_an_insert_unless_exists_leaves_the_existing_row_alone(world):
    township = world.village.parent
    first = Area(code="990999", name="甲", level=world.village.level, parent=township)
    first.path = f"{township.path}990999/"
    assert writes.insert(first, unless_exists="code") is True
    again = Area(code="990999", name="乙", level=world.village.level, parent=township)
    again.path = first.path
    assert writes.insert(again, unless_exists="code") is False and again.pk is None
    assert Area.objects.get(code="990999").name == "甲"


def test_writes_carried_by_an_insert_land_with_it_or_not_at_all(world):
    table = connection.ops.quote_name(Area._meta.db_table)
    rename = writes.Write(f"UPDATE {table} SET name = %s WHERE id = %s", ["改名", world.village.pk])
    run = PeriodicRun(name="rows.along", started_at=dt.datetime.now(dt.UTC), runner="s")
    assert writes.insert(run, carrying=[rename]) is True
    assert Area.objects.get(pk=world.village.pk).name == "改名"
    # A write that fails takes the insert with it.
    clash = writes.Write(
        f"UPDATE {table} SET code = %s WHERE id = %s", [world.village.parent.code, world.village.pk]
    )
    other = PeriodicRun(name="rows.along.2", started_at=dt.datetime.now(dt.UTC), runner="s")
    with pytest.raises(IntegrityError), transaction.atomic():
        writes.insert(other, carrying=[clash])
    assert not PeriodicRun.objects.filter(name="rows.along.2").exists()
    assert Area.objects.get(pk=world.village.pk).code == world.village.code


def _prepared() -> dict[str, tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return {statement: (generic, custom) for statement, generic, custom in cursor.fetchall()}


def test_a_hot_statement_is_prepared_once_and_planned_generically(world):
    """``statements.cursor`` on PostgreSQL: the statement is planned once per
    connection (a generic plan), with the same results as the ORM's; Django's
    own statements are not prepared."""
    if not dialect.is_postgresql():
        with statements.cursor() as cursor:  # the ordinary cursor
            cursor.execute("SELECT %s + 1", [1])
            assert cursor.fetchone() == (2,)
        return
    sql = 'SELECT "id", "name" FROM "places_area" WHERE "id" = ANY(%s::bigint[]) ORDER BY "id"'
    ids = [world.village.pk, world.county.pk]
    for _ in range(7):
        with statements.cursor() as cursor:
            cursor.execute(sql, [ids])
            found = cursor.fetchall()
    assert found == sorted(Area.objects.filter(pk__in=ids).values_list("id", "name"))
    (generic, custom), *others = [v for s, v in _prepared().items() if "places_area" in s]
    assert not others and generic == 7 and custom == 0
    list(Area.objects.filter(pk__in=ids))  # the ORM's statement
    assert not any("places_area" in s and "ANY" not in s for s in _prepared())


def test_a_prepared_statement_survives_a_rolled_back_transaction(world):
    if not dialect.is_postgresql():
        pytest.skip("prepared statements are PostgreSQL's")
    sql = 'SELECT count(*) FROM "places_area" WHERE "id" = %s'
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        with statements.cursor() as cursor:
            cursor.execute(sql, [world.village.pk])
        raise ZeroDivisionError
    with statements.cursor() as cursor:
        cursor.execute(sql, [world.village.pk])
        assert cursor.fetchone() == (1,)


def test_reserved_keys_are_the_sequences_and_never_collide_with_its_own_inserts(world):
    if not dialect.is_postgresql():
        with pytest.raises(NotSupportedError):
            writes.reserve_id(PeriodicRun)
        return
    reserved = [writes.reserve_id(PeriodicRun) for _ in range(70)]  # past one block of 64
    assert len(set(reserved)) == 70 and reserved == sorted(reserved)
    made = PeriodicRun.objects.create(name="rows.test")
    assert made.pk not in reserved
    kept = PeriodicRun(pk=reserved[0], name="rows.kept")
    with statements.cursor() as cursor:
        write = writes.insert_write(kept)
        cursor.execute(write.sql, write.params)
    assert PeriodicRun.objects.get(pk=reserved[0]).name == "rows.kept"


@pytest.mark.django_db(transaction=True)
def test_a_key_reserved_before_the_sequence_was_set_back_is_reserved_again(world):
    """A restore sets the sequence back: keys this process reserved before it
    may be handed out again, and the one-statement insert takes a fresh one."""
    if not dialect.is_postgresql():
        return
    stale = writes.reserve_id(PeriodicRun)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('core_periodicrun', 'id'), %s, false)", [stale]
        )
    taken = PeriodicRun.objects.create(name="rows.restored")  # the sequence gives it again
    assert taken.pk == stale
    writes._RESERVED[writes._pool_key(PeriodicRun)] = [taken.pk]  # as if still reserved
    row = writes.insert_new_with(
        PeriodicRun(name="rows.fresh"),
        unique="name",
        then=lambda run: PeriodicRun(name=f"rows.after.{run.pk}"),
    )
    assert row is not None
    assert PeriodicRun.objects.filter(name="rows.fresh").exclude(pk=taken.pk).exists()
