"""The audit table's indexes: few (every request with personal data writes a
row), and each of its readers' filters still finds one on PostgreSQL."""

import pytest
from django.db import connection

from zhanyi.accounts import queries
from zhanyi.accounts.models import Role
from zhanyi.accounts.testing import make_user
from zhanyi.core.db import dialect
from zhanyi.core.models import AuditEvent

pytestmark = pytest.mark.skipif(not dialect.is_postgresql(), reason="index plans are PostgreSQL's")


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s", [AuditEvent._meta.db_table]
        )
        return {name for (name,) in cursor.fetchall()}


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.order_by().explain()


def test_the_audit_table_keeps_five_indexes_besides_its_key(db):
    indexes = _indexes() - {f"{AuditEvent._meta.db_table}_pkey"}
    assert {"audit_actor_path", "audit_area_path", "audit_action", "audit_object"} <= indexes
    assert len(indexes) == 5  # and the time order's


@pytest.mark.django_db(transaction=False)
def test_a_township_viewers_events_are_found_by_the_path_indexes(world):
    viewer = make_user("audit-reader", Role.ADMIN, world.county, is_staff=True)
    plan = _plan(queries.visible_audit_events(viewer))
    assert "audit_actor_path" in plan and "audit_area_path" in plan


@pytest.mark.django_db(transaction=False)
def test_an_object_id_alone_an_objects_history_and_an_action_prefix_are_indexed(db):
    events = AuditEvent.objects.all()
    assert "audit_object" in _plan(queries.filter_audit_events(events, object_id="42"))
    assert "audit_object" in _plan(
        queries.filter_audit_events(events, object_type="people.person", object_id="42")
    )
    assert "audit_action" in _plan(queries.filter_audit_events(events, action="login."))
