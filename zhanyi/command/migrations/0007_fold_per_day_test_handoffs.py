"""Fold the per-day test hand-offs that tracing wrote before test schedules
(``tracing.contact:<pk>:test:q<n>`` / ``:m<n>``) into one schedule row per
contact (``tracing.contact:<pk>:tests``): ``zhanyi.command.fold``.

Not atomic: each batch of persons is its own transaction, so a table of a
million rows is not one transaction and a run stopped half way is taken up
again by the next ``migrate`` (the fold finds only what is left).

Reversed, it changes nothing: the schedule rows it writes are what the code
of 0005 and 0006 reads and writes too, and the per-day rows are not made
again (no code reads them as more than a one-test schedule).
"""

import sys

from django.db import migrations

from zhanyi.command.fold import fold_test_days


def fold(apps, schema_editor):
    report = fold_test_days(
        apps,
        using=schema_editor.connection.alias,
        actor_name="migration:command.0007_fold_per_day_test_handoffs",
    )
    # migrate shows nothing of a RunPython's work: say what was left alone
    # (its audit records say it too).
    for why in report.skipped:
        sys.stdout.write(f"\n  left alone: {why}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("command", "0006_handoff_indexes_for_listed_kinds"),
        # The fold moves samples that fulfilled a folded row onto its
        # schedule (reading their tubes) and writes audit records: both
        # models must be in this migration's state.
        ("testing", "0004_lean_indexes_for_bulk_rounds"),
        ("accounts", "0004_audit_fewer_indexes"),
    ]

    operations = [migrations.RunPython(fold, migrations.RunPython.noop, elidable=False)]
