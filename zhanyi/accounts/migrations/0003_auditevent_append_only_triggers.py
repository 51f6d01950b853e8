"""Refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on the audit table."""

from django.db import migrations


def install(apps, schema_editor):
    from zhanyi.accounts import append_only

    append_only.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from zhanyi.accounts import append_only

    append_only.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_audit_scope_and_demo_database"),
    ]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
