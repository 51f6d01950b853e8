"""Indexes for searching persons by the last digits of a number (PostgreSQL only).

``reverse(col) text_pattern_ops`` serves ``reverse(col) LIKE '4321%'``, which
is how the ``tail`` lookup (zhanyi/people/tails.py) writes "ends with 1234".
SQLite has no ``reverse()`` and gets no index: its searches stay a scan.

Built ``CONCURRENTLY`` so that migrating a city's live index (millions of
persons) does not stop writes to it while the index is built; hence a
non-atomic migration. An index left invalid by an interrupted build is dropped
and built again.
"""

from django.db import migrations

INDEXES = {
    "people_person_identity_tail": "identity_number",
    "people_person_phone_tail": "phone",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, column in INDEXES.items():
            cursor.execute(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
                [name],
            )
            row = cursor.fetchone()
            if row is not None and row[0]:
                continue
            if row is not None:
                cursor.execute(f"DROP INDEX CONCURRENTLY {name}")
            cursor.execute(
                f"CREATE INDEX CONCURRENTLY {name} "
                f"ON people_person (reverse({column}) text_pattern_ops)"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("people", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
