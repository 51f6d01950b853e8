import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from zhanyi.core import append_only, audit
from zhanyi.core.db import dialect
from zhanyi.core.models import AuditEvent


def _raw(sql, params=()):
    # A savepoint, so that PostgreSQL's aborted statement does not poison the test.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_triggers_are_installed_by_the_migrations(db):
    assert append_only.installed(connection)


def test_the_database_refuses_a_raw_update(world):
    event = audit.record(actor=world.tracer, action="person.viewed")
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE core_auditevent SET action = 'nothing' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "person.viewed"


def test_the_database_refuses_a_raw_delete(world):
    event = audit.record(actor=world.tracer, action="person.viewed")
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_database_refuses_a_queryset_update_and_delete_that_bypass_the_model(world):
    audit.record(actor=world.tracer, action="person.viewed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="nothing")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(action="person.viewed").count() == 1


def test_postgresql_refuses_truncate_too(world):
    if not dialect.is_postgresql():
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite has only DELETE")
    audit.record(actor=world.tracer, action="person.viewed")
    # Run the deferred foreign-key checks now: pending ones block TRUNCATE for another reason.
    _raw("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("TRUNCATE core_auditevent")


def test_a_user_who_has_acted_cannot_be_deleted(world):
    from django.db.models import ProtectedError

    audit.record(actor=world.tracer, action="person.viewed")
    with pytest.raises(ProtectedError), transaction.atomic():
        world.tracer.delete()


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_table_and_puts_the_triggers_back():
    from zhanyi.accounts.testing import build_world

    world = build_world()
    audit.record(actor=world.tracer, action="person.viewed")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    assert append_only.installed(connection)
    # The teardown's own flush after this test must succeed as well.
    audit.record(actor=None, action="login.failed")


def test_an_insert_that_would_replace_an_event_is_refused(world):
    """Issue 14, finding 9: SQLite's INSERT OR REPLACE deleted the old row without
    firing the delete trigger; PostgreSQL's upsert goes through the update trigger."""
    event = audit.record(actor=world.tracer, action="person.viewed")
    columns = (
        "id, at, action, actor_name, actor_path, area_path, object_type, object_id, "
        "object_label, detail, user_agent, path"
    )
    values = "%s, CURRENT_TIMESTAMP, 'nothing', '', '', '', '', '', '', '{}', '', ''"
    if dialect.is_sqlite():
        sql = f"INSERT OR REPLACE INTO core_auditevent ({columns}) VALUES ({values})"
    else:
        sql = (
            f"INSERT INTO core_auditevent ({columns}) VALUES ({values}) "
            "ON CONFLICT (id) DO UPDATE SET action = EXCLUDED.action"
        )
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "person.viewed"
