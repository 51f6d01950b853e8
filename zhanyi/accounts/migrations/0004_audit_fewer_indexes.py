"""The audit table keeps the indexes its readers use: 11 -> 5 besides the key.

Every request that touches personal data writes an audit row (a sampling
point's scan, a person's page), and each index is written with it. Removed:
the plain b-trees beside the pattern indexes of the paths and the action (the
pattern index answers equality too), the object id's own two (the object index
now leads with the id) and the actor's (users are never deleted).

On SQLite, altering the fields remakes the table, which drops its append-only
triggers: they are installed again at the end.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def install_triggers(apps, schema_editor):
    from zhanyi.accounts import append_only

    append_only.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_auditevent_append_only_triggers"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="auditevent",
            name="accounts_au_object__4c9043_idx",
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(max_length=64, verbose_name="action"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor_path",
            field=models.CharField(blank=True, editable=False, max_length=255),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="area_path",
            field=models.CharField(blank=True, editable=False, max_length=255),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="object_id",
            field=models.CharField(blank=True, max_length=64, verbose_name="object id"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["actor_path"], name="audit_actor_path", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["area_path"], name="audit_area_path", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["action"], name="audit_action", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["object_id", "object_type", "at"], name="audit_object"),
        ),
        migrations.RunPython(install_triggers, install_triggers, elidable=False),
    ]
