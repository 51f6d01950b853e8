"""zhanyi.core.fastpath: model instances from hand-written statements, and
one-statement inserts, each against the ORM query or save it stands for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

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


def set_key_sequence_back(model, last: int) -> None:
    """What a restore does to a table's key sequence: the next key is ``last + 1``."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if dialect.is_postgresql():
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, last])
        else:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [last, table])


def _then(run: PeriodicRun) -> PeriodicRun:
    """A second row naming ``run`` (its key in ``runner``), as a record names its object."""
    return PeriodicRun(name=f"{run.name}.after", runner=str(run.pk), summary="then")


def test_a_new_row_with_its_naming_row_and_carried_writes_in_one_statement(world):
    """``insert_new_with``: the key is the database's, given in the statement;
    the naming row and each carried write read it; a taken value writes none."""
    table = connection.ops.quote_name(PeriodicRun._meta.db_table)
    carried = writes.Write(
        f"INSERT INTO {table} (name, runner, summary) "
        f"SELECT %s, CAST({writes.WRITTEN}.id AS varchar(100)), %s FROM {writes.WRITTEN}",
        ["rows.carried", "carried"],
    )
    before = PeriodicRun.objects.create(name="rows.before")
    run = PeriodicRun(name="rows.new", runner="s")
    with CaptureQueriesContext(connection) as queries:
        row = writes.insert_new_with(
            run, unique="name", then=_then, naming="runner", carrying=[carried]
        )
    if dialect.is_postgresql():
        assert len(queries.captured_queries) == 1
    assert row is not None and run.pk is not None and run.pk > before.pk
    assert row.pk is not None and row.runner == str(run.pk) and not row._state.adding
    stored = dict(PeriodicRun.objects.values_list("name", "runner"))
    assert stored["rows.new.after"] == stored["rows.carried"] == str(run.pk)
    assert PeriodicRun.objects.get(pk=row.pk).summary == "then"
    # The value taken: nothing written, neither row nor carried write, no error.
    again = PeriodicRun(name="rows.new", runner="other")
    carried_again = writes.Write(carried.sql, ["rows.carried.2", "carried"])
    assert (
        writes.insert_new_with(
            again, unique="name", then=_then, naming="runner", carrying=[carried_again]
        )
        is None
    )
    assert again.pk is None
    assert PeriodicRun.objects.filter(name__startswith="rows.").count() == 4


@pytest.mark.django_db(transaction=True)
def test_a_key_sequence_set_back_breaks_no_insert_inside_a_transaction(world):
    """A restore sets a table's key sequence back, and another process takes
    the keys again: the one-statement insert still takes a free key, inside a
    transaction too (where a failed statement could not be retried)."""
    first = PeriodicRun(name="rows.1")
    assert writes.insert_new_with(first, unique="name", then=_then, naming="runner")
    later = [PeriodicRun.objects.create(name=f"rows.{i}") for i in (2, 3)]
    PeriodicRun.objects.filter(pk__gt=first.pk).delete()  # the restore: gone
    set_key_sequence_back(PeriodicRun, first.pk)
    taken = PeriodicRun.objects.create(name="rows.other")  # another process
    assert taken.pk == first.pk + 1 and taken.pk < later[-1].pk  # a key given out before
    with transaction.atomic():
        fresh = PeriodicRun(name="rows.fresh")
        row = writes.insert_new_with(fresh, unique="name", then=_then, naming="runner")
        assert row is not None and fresh.pk == taken.pk + 1
        PeriodicRun.objects.create(name="rows.in.transaction")  # the transaction still usable
    assert PeriodicRun.objects.get(name="rows.fresh.after").runner == str(fresh.pk)
