"""A database of its own beside the live one (a drill's): named after the live
database, created empty, dropped, and written as a ``DATABASE_URL`` for the
process that works in it.

On SQLite it is a file under a folder the caller names; on PostgreSQL a
database on the same server, ``<live>_<suffix>``, made with ``CREATE
DATABASE`` over the live connection (outside any transaction) and dropped
with ``DROP DATABASE … WITH (FORCE)``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from . import dialect

#: PostgreSQL's longest identifier.
MAX_NAME = 63


def sibling_name(suffix: str, *, folder: Path) -> str:
    """The name of the database beside the live one: a PostgreSQL database
    ``<live>_<suffix>``, or the path of a SQLite file in ``folder``."""
    if not re.fullmatch(r"[a-z0-9_]+", suffix):
        raise ValueError(f"not a database suffix: {suffix!r}")
    if dialect.is_postgresql():
        name = f"{connection.settings_dict['NAME']}_{suffix}"
        if len(name) > MAX_NAME:
            raise ValueError(f"{name} is longer than {MAX_NAME} characters")
        return name
    return str(folder / "zhanyi.sqlite3")


def create(name: str) -> None:
    """An empty database of that name (a SQLite file's folder made, any old
    file removed)."""
    if dialect.is_postgresql():
        drop(name)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
        return
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob(path.name + "*"):  # the file and its -wal, -shm
        old.unlink()


def drop(name: str) -> None:
    if dialect.is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute(
                f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)"
            )
        return
    path = Path(name)
    for old in path.parent.glob(path.name + "*"):
        old.unlink()


def exists(name: str) -> bool:
    if dialect.is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    return Path(name).exists()


def url(name: str) -> str:
    """``DATABASE_URL`` for that database: the live connection's server and
    credentials with the other name on PostgreSQL, the file on SQLite."""
    if not dialect.is_postgresql():
        return f"sqlite:///{Path(name).resolve()}"
    s = connection.settings_dict
    user = quote(s.get("USER") or "", safe="")
    password = quote(s.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = s.get("HOST") or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(name, safe='')}"
