"""``zhanyi backup`` and ``zhanyi restore``: a backup taken, the data changed, the
restore brings the old data back (on whichever database the suite runs)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from zhanyi.core import audit
from zhanyi.core.audit import SystemActor
from zhanyi.core.db import backup
from zhanyi.core.models import AuditEvent, PeriodicRun

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_change_restore_finds_the_old_data(tmp_path, capsys):
    PeriodicRun.objects.create(name="screening.escalate", summary="before the backup")
    audit.record(actor=SystemActor("test"), action="test.before")
    out = tmp_path / f"city{backup.suffix()}"

    call_command("backup", out=str(out))
    assert f"to {out}" in capsys.readouterr().out
    assert out.stat().st_size > 0
    assert AuditEvent.objects.filter(action="backup.taken").exists()

    PeriodicRun.objects.filter(name="screening.escalate").update(summary="changed after")
    PeriodicRun.objects.create(name="codes.recompute", summary="made after the backup")
    audit.record(actor=SystemActor("test"), action="test.after")

    call_command("restore", str(out), yes=True)

    assert PeriodicRun.objects.get(name="screening.escalate").summary == "before the backup"
    assert not PeriodicRun.objects.filter(name="codes.recompute").exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"test.before", "backup.restored"} <= actions
    assert "test.after" not in actions
    # The restored database takes writes again.
    PeriodicRun.objects.create(name="again", summary="after the restore")
    assert PeriodicRun.objects.count() == 2


def test_restore_needs_yes_and_refuses_what_is_not_a_backup(tmp_path):
    PeriodicRun.objects.create(name="kept")
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("姓名,手机\n")
    with pytest.raises(CommandError, match="not a zhanyi backup"):
        call_command("restore", str(not_a_backup), yes=True)
    out = tmp_path / f"b{backup.suffix()}"
    call_command("backup", out=str(out))
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(out))
    with pytest.raises(CommandError, match="no file"):
        call_command("restore", str(tmp_path / "missing.dump"), yes=True)
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", out=str(out))
    assert PeriodicRun.objects.filter(name="kept").exists()


def test_a_backup_of_the_other_database_is_refused(tmp_path):
    other = tmp_path / "other.bak"
    if backup.suffix() == ".dump":
        other.write_bytes(backup.SQLITE_MAGIC + b"\x00" * 100)
        expected = "a sqlite database"
    else:
        other.write_bytes(backup.PGDUMP_MAGIC + b"\x00" * 100)
        expected = "a postgresql database"
    with pytest.raises(CommandError, match=expected):
        call_command("restore", str(other), yes=True)


def test_an_sqlite_file_that_is_not_zhanyi_is_refused(tmp_path):
    import sqlite3

    if backup.suffix() != ".sqlite3":
        pytest.skip("SQLite files are refused as the other kind on PostgreSQL")
    stranger = tmp_path / "stranger.sqlite3"
    sqlite3.connect(stranger).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(CommandError, match="not a zhanyi one"):
        call_command("restore", str(stranger), yes=True)
