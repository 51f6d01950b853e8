"""Backing up and restoring the whole database (``zhanyi backup``, ``zhanyi restore``).

- **SQLite**: a consistent copy of the live file through SQLite's online backup API
  (``sqlite3.Connection.backup``), safe while the app serves and writes; restoring
  copies the backup's pages back into the live database the same way.
- **PostgreSQL**: ``pg_dump --format=custom`` (one consistent snapshot, compressed)
  and ``pg_restore --clean --if-exists --single-transaction``: the restore replaces
  every table the dump holds, all or nothing.

A backup file says which database it came from in its first bytes (``SQLite format 3``
or ``PGDMP``); a restore refuses a file of the other kind, or one that is not a
backup at all, before touching anything. A restore brings back the database as it
was, the audit trail included: what was recorded after the backup is gone, so the
command line records the restore itself in the restored trail.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper

from .dialect import is_postgresql, pick

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True)
class Backup:
    path: Path
    database: str  # "sqlite" or "postgresql"
    size: int


def suffix(connection: BaseDatabaseWrapper | None = None) -> str:
    """The file name ending a backup of this database gets."""
    return pick(postgresql=".dump", sqlite=".sqlite3", connection=connection)


def kind_of_file(path: Path) -> str:
    """``sqlite`` or ``postgresql`` from the file's first bytes; refuses anything else."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror or error}") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{path} is not a zhanyi backup: neither an SQLite database nor a pg_dump "
        "custom-format file"
    )


def _pg_env(settings: dict) -> tuple[dict[str, str], str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings.get(key):
            env[var] = str(settings[key])
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    options = settings.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env, str(settings["NAME"])


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed on this machine; install the PostgreSQL client tools "
            f"of the server's major version (Debian: apt-get install postgresql-client)"
        )
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()}")


def backup(out: Path, connection: BaseDatabaseWrapper | None = None) -> Backup:
    """Write a consistent copy of the database to ``out`` (written aside, then renamed,
    so a full disk or a failure leaves no half file under that name)."""
    connection = default_connection if connection is None else connection
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    try:
        if is_postgresql(connection):
            env, name = _pg_env(connection.settings_dict)
            _run([_tool("pg_dump"), "--format=custom", f"--file={partial}", name], env)
            database = "postgresql"
        else:
            connection.ensure_connection()
            target = sqlite3.connect(partial)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            database = "sqlite"
        os.replace(partial, out)
    except OSError as error:
        raise BackupError(f"cannot write {out}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)
    return Backup(out, database, out.stat().st_size)


def _check_sqlite_file(path: Path) -> None:
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = source.execute("PRAGMA quick_check").fetchone()[0]
            tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master")}
        finally:
            source.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} cannot be read as SQLite: {error}") from None
    if ok != "ok":
        raise BackupError(f"{path} is damaged (SQLite's quick check says: {ok})")
    if "django_migrations" not in tables:
        raise BackupError(f"{path} is an SQLite database but not a zhanyi one")


def restore(path: Path, connection: BaseDatabaseWrapper | None = None) -> str:
    """Replace the database's contents with the backup at ``path``; returns its kind.

    Stop the app servers, workers and scheduler first: on PostgreSQL the restore
    waits for their locks, and on either database they would keep writing.
    """
    connection = default_connection if connection is None else connection
    kind = kind_of_file(path)
    here = pick(postgresql="postgresql", sqlite="sqlite", connection=connection)
    if kind != here:
        raise BackupError(
            f"{path} is a backup of a {kind} database; this installation runs on {here}"
        )
    if kind == "postgresql":
        env, name = _pg_env(connection.settings_dict)
        _run([_tool("pg_restore"), "--list", str(path)], env)  # a readable archive
        connection.close()  # our own session must hold no lock on what is replaced
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={name}",
                str(path),
            ],
            env,
        )
    else:
        _check_sqlite_file(path)
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    return kind
