"""zhanyi.core.db: the bulk layer writes and reads the same rows on both databases.

The suite runs on SQLite and on PostgreSQL, so every test here checks both
of the layer's paths; each asserts what the ORM reads back.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import NotSupportedError, connection, transaction

from zhanyi.accounts.models import AuditEvent
from zhanyi.core.db import bulk, dialect
from zhanyi.core.models import PeriodicRun

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


def test_analyze_runs_on_either_database(db):
    dialect.analyze(PeriodicRun, "core_periodicrun")
    dialect.analyze(PeriodicRun, columns=["name"])
    with pytest.raises(ValueError):
        dialect.analyze(PeriodicRun, AuditEvent, columns=["name"])
