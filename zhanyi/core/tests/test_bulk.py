"""zhanyi.core.db: the bulk layer writes and reads the same rows on both databases.

The suite runs on SQLite and on PostgreSQL, so every test here checks both
of the layer's paths; each asserts what the ORM reads back.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.db import NotSupportedError, connection, transaction

from zhanyi.core.db import bulk, dialect
from zhanyi.core.models import AuditEvent, PeriodicRun

AT = dt.datetime(2021, 9, 13, 8, 30, 15, 123456, tzinfo=dt.UTC)
AUDIT_FIELDS = ("at", "actor_name", "action", "actor_path", "area_path", "object_type")
AUDIT_FIELDS += ("object_id", "object_label", "user_agent", "path")
FIELDS = ("name", "started_at", "finished_at", "ok", "runner", "summary")


def _runs() -> dict[str, tuple]:
    return {
        r.name: (r.started_at, r.finished_at, r.ok, r.runner, r.summary)
        for r in PeriodicRun.objects.all()
    }


def test_the_dialect_names_the_database_and_picks_its_value(db):
    assert dialect.name() == connection.vendor
    assert dialect.is_postgresql() is (connection.vendor == "postgresql")
    assert dialect.is_sqlite() is (connection.vendor == "sqlite")
    assert dialect.supported()
    assert dialect.pick(postgresql=1, sqlite=2) == (1 if dialect.is_postgresql() else 2)


def test_a_batch_of_ids_stays_within_sqlites_bound_parameters(db):
    # SQLite binds each id of an IN list and caps their number (32,766 by
    # default); PostgreSQL sends a batch's ids as one array.
    size = bulk.ids_per_batch()
    if dialect.is_postgresql():
        assert size == 50_000
    else:
        assert size <= 32_766
        ids = list(range(1, size + 1))
        assert list(PeriodicRun.objects.filter(pk__in=ids)) == []


def test_only_postgresql_passes_require_postgresql(db):
    if dialect.is_postgresql():
        dialect.require_postgresql("needs PostgreSQL")
        return
    with pytest.raises(NotSupportedError, match="needs PostgreSQL"):
        dialect.require_postgresql("needs PostgreSQL")
    with pytest.raises(LookupError, match="mine"):
        dialect.require_postgresql("mine", error=LookupError)


def test_inserted_rows_read_back_as_the_orm_wrote_them(db):
    later = AT + dt.timedelta(hours=1)
    bulk.insert_many(
        PeriodicRun,
        FIELDS,
        [
            ("a", AT, later, True, "s1", "tab\tand\nline \\ back"),
            ("b", AT, None, None, "", ""),
            ("c", later, AT, False, "引号\"'", "空"),
        ],
    )
    PeriodicRun.objects.create(name="d", started_at=AT, ok=True, runner="orm", summary="x")
    assert _runs() == {
        "a": (AT, later, True, "s1", "tab\tand\nline \\ back"),
        "b": (AT, None, None, "", ""),
        "c": (later, AT, False, "引号\"'", "空"),
        "d": (AT, None, True, "orm", "x"),
    }


def test_an_inserter_runs_batch_after_batch_and_ignores_an_empty_one(db):
    insert = bulk.Inserter(PeriodicRun, ["name", "runner", "summary"])
    insert.run([])
    insert.run([(f"j{i}", "r", "") for i in range(3)])
    insert.run(iter([("j3", "r", "")]))
    assert sorted(_runs()) == ["j0", "j1", "j2", "j3"]


def test_json_goes_through_the_fields_encoder(world):
    bulk.insert_many(
        AuditEvent,
        [*AUDIT_FIELDS, "detail"],
        [(AT, "bulk", "bulk.test", *[""] * 7, {"day": dt.date(2021, 9, 13), "n": [1, "二"]})],
    )
    event = AuditEvent.objects.get(action="bulk.test")
    assert event.detail == {"day": "2021-09-13", "n": [1, "二"]}
    assert event.at == AT


def test_a_duplicate_key_in_an_insert_is_djangos_integrity_error_and_writes_nothing(db):
    from django.db import IntegrityError

    PeriodicRun.objects.create(name="taken")
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_many(
            PeriodicRun, ["name", "runner", "summary"], [("new", "", ""), ("taken", "", "")]
        )
    assert sorted(_runs()) == ["taken"]


@pytest.mark.parametrize("mostly_new", [False, True])
def test_an_upsert_replaces_the_other_fields_of_existing_keys(db, mostly_new):
    PeriodicRun.objects.create(name="old", runner="before", summary="kept", ok=False)
    bulk.upsert_many(
        PeriodicRun,
        ["name", "started_at", "ok", "runner", "summary"],
        [("old", AT, True, "after", "kept"), ("new", None, None, "first", "")],
        key=["name"],
        mostly_new=mostly_new,
    )
    assert _runs() == {
        "old": (AT, None, True, "after", "kept"),
        "new": (None, None, None, "first", ""),
    }


def test_an_upsert_of_only_new_keys_inserts_them(db):
    with transaction.atomic():
        for batch in (["a", "b"], ["c"]):
            bulk.upsert_many(
                PeriodicRun,
                ["name", "runner", "summary"],
                [(n, "r", "") for n in batch],
                key=["name"],
                mostly_new=True,
            )
    assert sorted(_runs()) == ["a", "b", "c"]


@pytest.mark.parametrize("direct_from", [1, 1000])
def test_insert_new_skips_existing_and_repeated_keys_and_counts_what_it_inserted(db, direct_from):
    PeriodicRun.objects.create(name="b", runner="old")
    counts = bulk.insert_new(
        PeriodicRun,
        ["name", "runner", "summary"],
        [("a", "x", ""), ("b", "x", ""), ("c", "y", ""), ("c", "z", ""), ("d", "x", "")],
        key="name",
        count_by="runner",
        direct_from=direct_from,
    )
    assert counts == {"x": 2, "y": 1}
    assert {n: r[3] for n, r in _runs().items()} == {"a": "x", "b": "old", "c": "y", "d": "x"}


def test_insert_new_of_all_new_keys_counts_them_all(db):
    fields = ["name", "runner", "summary"]
    rows = [(f"k{i:02}", "even" if i % 2 == 0 else "odd", "") for i in range(10)]
    counts = bulk.insert_new(
        PeriodicRun, fields, rows, key="name", count_by="runner", direct_from=5
    )
    assert counts == {"even": 5, "odd": 5}
    assert bulk.insert_new(PeriodicRun, fields, rows, key="name", count_by="runner") == {}


JOINED = {
    "name": bulk.concat(bulk.record("job"), bulk.template("suffix")),
    "started_at": bulk.template("at"),
    "ok": bulk.record("ok"),
    "runner": bulk.template("runner"),
    "summary": "joined",
}


def _records(*rows) -> pl.DataFrame:
    """Records of (job, plan, ok)."""
    schema = {"job": pl.String, "plan": pl.Int64, "ok": pl.Boolean}
    return pl.DataFrame(rows, schema=schema, orient="row")


@pytest.mark.parametrize("direct_from", [1, 1000])
def test_insert_joined_makes_a_row_per_record_and_template_of_its_key(db, direct_from):
    PeriodicRun.objects.create(name="b:2", runner="old")
    later = AT + dt.timedelta(days=1)
    templates = [
        {"plan": 1, "suffix": ":1", "at": AT, "runner": "x"},
        {"plan": 1, "suffix": ":2", "at": later, "runner": "y"},
        {"plan": 2, "suffix": ":1", "at": None, "runner": "x"},
        {"plan": 3, "suffix": ":9", "at": AT, "runner": "z"},
    ]
    records = _records(("a", 1, True), ("b", 1, None), ("c", 2, False), ("d", 4, True))
    counts = bulk.insert_joined(
        PeriodicRun,
        JOINED,
        records,
        templates,
        on="plan",
        key="name",
        count_by="runner",
        direct_from=direct_from,
    )
    assert counts == {"x": 3, "y": 1}
    assert _runs() == {
        "a:1": (AT, None, True, "x", "joined"),
        "a:2": (later, None, True, "y", "joined"),
        "b:1": (AT, None, None, "x", "joined"),
        "b:2": (None, None, None, "old", ""),
        "c:1": (None, None, False, "x", "joined"),
    }
    again = bulk.insert_joined(
        PeriodicRun,
        JOINED,
        _records(("a", 1, False), ("e", 2, True), ("e", 2, True)),
        templates,
        on="plan",
        key="name",
        count_by="ok",
        direct_from=direct_from,
    )
    assert again == {True: 1}
    assert _runs()["a:1"][2] is True
    assert sorted(_runs()) == ["a:1", "a:2", "b:1", "b:2", "c:1", "e:1"]


def test_insert_joined_of_no_matching_record_writes_nothing(db):
    records = _records(("a", 5, True))
    templates = [{"plan": 1, "suffix": ":1", "at": AT, "runner": "x"}]
    assert (
        bulk.insert_joined(
            PeriodicRun, JOINED, records, templates, on="plan", key="name", count_by="runner"
        )
        == {}
    )
    with pytest.raises(ValueError, match="not a column"):
        bulk.insert_joined(
            PeriodicRun,
            JOINED,
            _records(("a", 1, True)),
            templates,
            on="plan",
            key="name",
            count_by="summary",
        )
    assert not PeriodicRun.objects.exists()


def test_analyze_runs_on_either_database(db):
    dialect.analyze(PeriodicRun, "core_periodicrun")
    dialect.analyze(PeriodicRun, columns=["name"])
    with pytest.raises(ValueError):
        dialect.analyze(PeriodicRun, AuditEvent, columns=["name"])


def test_a_frame_copied_in_reads_back_the_same(db):

    later = AT + dt.timedelta(days=1, microseconds=1)
    frame = pl.DataFrame(
        {
            "name": ["f1", "f2", "f3"],
            "started_at": [AT, None, later],
            "runner": ["a,b", "", 'q"uote'],
            "summary": ["line\nbreak", "", "二"],
        },
        schema={
            "name": pl.String,
            "started_at": bulk.TIMESTAMP,
            "runner": pl.String,
            "summary": pl.String,
        },
    )
    bulk.copy_frame(PeriodicRun, frame)
    assert {n: (r[0], r[3], r[4]) for n, r in _runs().items()} == {
        "f1": (AT, "a,b", "line\nbreak"),
        "f2": (None, "", ""),
        "f3": (later, 'q"uote', "二"),
    }
    schema = {"name": pl.String, "at": bulk.TIMESTAMP, "runner": pl.String}
    back = bulk.read_frame(
        PeriodicRun,
        ["name", "started_at", "runner"],
        schema,
        where="started_at IS NULL OR started_at >= %s",
        params=[later],
    ).sort("name")
    assert back.schema == pl.Schema(schema)
    assert back.rows() == [("f2", None, ""), ("f3", later, 'q"uote')]
    empty = bulk.read_frame(PeriodicRun, ["name", "started_at", "runner"], schema, where="1 = 0")
    assert empty.height == 0 and empty.schema == pl.Schema(schema)


@pytest.mark.parametrize("spread", [1, 100])
def test_ids_sql_selects_at_least_the_ids_asked_for(db, spread):

    bulk.insert_many(
        PeriodicRun, ["name", "runner", "summary"], [(f"i{i}", "", "") for i in range(9)]
    )
    ids = sorted(PeriodicRun.objects.values_list("pk", flat=True))
    wanted = ids[::4] if spread == 1 else [ids[0], ids[-1] + 1000]
    where, params = bulk.ids_sql("id", wanted)
    got = bulk.read_frame(PeriodicRun, ["id"], {"id": pl.Int64}, where=where, params=params)
    assert set(wanted) & set(ids) <= set(got["id"].to_list()) <= set(ids)


def test_reserved_ids_are_never_taken_by_a_later_insert(db):
    PeriodicRun.objects.create(name="before")
    reserved = bulk.reserve_ids(PeriodicRun, 3)
    assert len(reserved) == 3 and reserved == sorted(set(reserved))
    after = PeriodicRun.objects.create(name="after")
    assert after.pk not in reserved
    bulk.insert_many(
        PeriodicRun,
        ["id", "name", "runner", "summary"],
        [(pk, f"r{pk}", "", "") for pk in reserved],
    )
    assert PeriodicRun.objects.count() == 5
    assert bulk.reserve_ids(PeriodicRun, 0) == []


def test_update_many_sets_each_rows_fields_and_the_constants(db):
    bulk.insert_many(PeriodicRun, ["name", "runner", "summary"], [("u1", "", ""), ("u2", "", "")])
    pks = dict(PeriodicRun.objects.values_list("name", "pk"))
    later = AT + dt.timedelta(hours=2)
    bulk.update_many(
        PeriodicRun,
        ["id", "started_at", "runner"],
        [(pks["u1"], AT, "x"), (pks["u2"], later, 'y"\\')],
        constants={"summary": "done", "finished_at": later},
    )
    assert _runs() == {
        "u1": (AT, later, None, "x", "done"),
        "u2": (later, later, None, 'y"\\', "done"),
    }
    with pytest.raises(ValueError):
        bulk.update_many(PeriodicRun, ["runner", "id"], [("x", pks["u1"])])


def test_in_list_and_where_in_find_every_value_however_many(db):
    names = [f"w{i}" for i in range(12)]
    bulk.insert_many(PeriodicRun, ["name", "runner", "summary"], [(n, "", "") for n in names])
    wanted = [*names[::3], "absent", 'q"'] * 2000
    found = set()
    for qs in bulk.where_in(PeriodicRun.objects.all(), "name", wanted, "text"):
        found.update(qs.values_list("name", flat=True))
    assert found == set(names[::3])
    found = set()
    with connection.cursor() as cursor:
        for where, params in bulk.in_list("name", wanted, "text"):
            cursor.execute(f"SELECT name FROM core_periodicrun WHERE {where}", params)
            found.update(n for (n,) in cursor.fetchall())
    assert found == set(names[::3])


def test_rows_matching_many_values_are_read_however_many(db):
    bulk.insert_many(
        PeriodicRun,
        ["name", "runner", "summary"],
        [(f"m{i}", "odd" if i % 2 else "even", "") for i in range(12)] + [("", "x", "")],
    )
    schema = {"name": pl.String, "runner": pl.String}
    asked = pl.Series(["m1", "m2", "m2", "m11", "absent", "", "nul\0", None])
    got = bulk.read_matching(PeriodicRun, ["name", "runner"], schema, key="name", values=asked)
    assert got.schema == pl.Schema(schema)
    assert sorted(got.rows()) == [("", "x"), ("m1", "odd"), ("m11", "odd"), ("m2", "even")]
    odd = bulk.read_matching(
        PeriodicRun, ["name"], {"name": pl.String}, key="name", values=asked, where="runner = 'odd'"
    )
    assert sorted(odd["name"].to_list()) == ["m1", "m11"]
    ids = pl.Series(list(PeriodicRun.objects.filter(runner="even").values_list("pk", flat=True)))
    by_id = bulk.read_matching(PeriodicRun, ["runner"], {"runner": pl.String}, key="id", values=ids)
    assert by_id["runner"].to_list() == ["even"] * 6
    none = bulk.read_matching(
        PeriodicRun, ["name"], {"name": pl.String}, key="name", values=asked[4:5]
    )
    assert none.height == 0 and none.schema == pl.Schema({"name": pl.String})
