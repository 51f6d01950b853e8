"""Hand-written inserts (fast path): one statement written once per model,
and writes carried in the same statement as an insert.

Only the scan's fast path (``zhanyi.testing.fastpath``) and the audit record
it carries (``zhanyi.accounts.fastpath``) use these; everything else saves
through the ORM.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction

from zhanyi.core.db import dialect

from .statements import cursor


@dataclass(frozen=True)
class Write:
    """A data-changing statement carried by an insert (``insert(carrying=…)``)."""

    sql: str
    params: Sequence


def insert_write(obj: models.Model) -> Write:
    """The INSERT of a new instance whose primary key is set (``reserve_id``),
    as a ``Write`` for another insert to carry; prepared as ``insert`` prepares it."""
    model = type(obj)
    return Write(_insert_sql(model, with_key=True), _values(obj, _insert_fields(model, True)))


_RESERVED: dict[tuple, list[int]] = {}
_RESERVING = threading.Lock()


def _pool_key(model: type[models.Model]) -> tuple:
    """Whose reserved keys: this process's, for this model in this database
    (by name: a process that worked in another database, a drill's, under the
    same alias must not bring its keys back)."""
    connection = connections[DEFAULT_DB_ALIAS]
    return (model, connection.alias, connection.settings_dict.get("NAME"), os.getpid())


def forget_reserved(model: type[models.Model]) -> None:
    """Drop this process's reserved keys of ``model``: after a restore the
    sequence may hand them out again."""
    with _RESERVING:
        _RESERVED.pop(_pool_key(model), None)


def reserve_id(model: type[models.Model], *, block: int = 64) -> int:
    """A primary key for a new row of ``model``, from its sequence (PostgreSQL).

    Keys are taken ``block`` at a time and handed out by this process (and
    only this one: the pool is kept per process id, so a forked server worker
    never repeats its parent's), so a hot path that must know a row's key
    before writing it (to write it in one statement with the rows that point
    at it) costs no round trip of its own. Keys left over when the process
    ends are gaps in the sequence, as a rolled-back insert leaves.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    dialect.require_postgresql("reserve_id needs PostgreSQL's sequences", connection=connection)
    key = _pool_key(model)
    with _RESERVING:
        pool = _RESERVED.setdefault(key, [])
        if not pool:
            with connection.cursor() as db:
                db.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [model._meta.db_table, model._meta.pk.column, block],
                )
                pool.extend(sorted((row[0] for row in db.fetchall()), reverse=True))
        return pool.pop()


def insert(
    obj: models.Model, *, unless_exists: str | None = None, carrying: Sequence[Write] = ()
) -> bool:
    """INSERT a new instance in one statement written once per model.

    Values are prepared by each field as ``Model.save`` prepares them
    (``pre_save`` fills ``auto_now_add``); no signals are sent, so use it
    only for models nothing listens to. Returns True with ``obj.pk`` set.
    With ``unless_exists`` (the name of a unique field), a row already
    holding that value is left alone and False is returned: one statement,
    no savepoint, safe against a concurrent insert of the same value.

    ``carrying``: independent writes that belong with this row (a scan's
    samples and tube, with its audit record). On PostgreSQL they travel in
    the same statement, as data-modifying ``WITH`` clauses (each sees the
    database as it was before the statement, so none may read another's
    rows); elsewhere they run just before it, in order.
    """
    model = type(obj)
    connection = connections[DEFAULT_DB_ALIAS]
    values = _values(obj, _insert_fields(model))
    sql = _insert_sql(model, unless_exists=unless_exists)
    with cursor() as db:
        if carrying and dialect.is_postgresql(connection):
            clauses = ", ".join(f"carried{i} AS ({w.sql})" for i, w in enumerate(carrying))
            sql = f"WITH {clauses} {sql}"
            values = [*(p for w in carrying for p in w.params), *values]
        else:
            for write in carrying:
                db.execute(write.sql, write.params)
        db.execute(sql, values)
        row = db.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = DEFAULT_DB_ALIAS
    return True


@functools.cache
def _insert_fields(model: type[models.Model], with_key: bool = False) -> tuple:
    return tuple(f for f in model._meta.concrete_fields if with_key or not f.primary_key)


def _values(obj: models.Model, fields: tuple) -> list:
    """The values of ``fields`` as ``Model.save`` prepares them for an insert."""
    connection = connections[DEFAULT_DB_ALIAS]
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


@functools.cache
def _insert_sql(
    model: type[models.Model], *, unless_exists: str | None = None, with_key: bool = False
) -> str:
    """The model's INSERT: without its key, returning the one the database gives
    (or nothing if ``unless_exists`` finds the value taken); or ``with_key``,
    returning nothing."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    fields = _insert_fields(model, with_key)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if unless_exists is not None:
        sql += f" ON CONFLICT ({quote(model._meta.get_field(unless_exists).column)}) DO NOTHING"
    if not with_key:
        sql += f" RETURNING {quote(model._meta.pk.column)}"
    return sql


def insert_new_with(
    obj: models.Model, *, unique: str, then: Callable[[models.Model], models.Model]
) -> models.Model | None:
    """INSERT ``obj`` unless a row holds its ``unique`` field's value already,
    and the row ``then(obj)`` makes (the audit record naming it) only when
    ``obj`` was written; that row, or None when ``obj`` was not written.

    On PostgreSQL both travel in one statement, with no transaction to open:
    ``obj``'s key is reserved first (``reserve_id``) so that ``then`` can name
    it, ``obj``'s insert is a data-modifying ``WITH`` clause that skips a
    taken value (``ON CONFLICT DO NOTHING``, safe against a concurrent insert
    of the same value: the loser writes nothing), and the second row is
    inserted for each row the first wrote. Elsewhere the two inserts run in
    a transaction. No signals are sent (as ``insert``).
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if not dialect.is_postgresql(connection):
        with transaction.atomic():
            if not insert(obj, unless_exists=unique):
                return None
            row = then(obj)
            insert(row)
            return row
    model = type(obj)
    for attempt in (1, 2):
        obj.pk = reserve_id(model)
        row = then(obj)
        sql = _insert_new_with_sql(model, unique, type(row))
        values = [
            *_values(obj, _insert_fields(model, True)),
            *_values(row, _insert_fields(type(row))),
        ]
        try:
            with cursor() as db:
                db.execute(sql, values)
                found = db.fetchone()
            break
        except IntegrityError as error:
            # A key reserved before the database was restored (or its
            # sequence set back) may be taken since: reserve afresh, once.
            # Alone (autocommit) the failed statement left nothing behind;
            # inside a transaction it aborted the transaction: no retry there.
            retry = not connection.in_atomic_block and attempt == 1
            if not retry or not _is_primary_key_violation(error, model):
                raise
            forget_reserved(model)
    if found is None:
        obj.pk = None
        return None
    for written in (obj, row):
        written._state.adding = False
        written._state.db = DEFAULT_DB_ALIAS
    row.pk = found[0]
    return row


@functools.cache
def _insert_new_with_sql(model: type[models.Model], unique: str, then: type[models.Model]) -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    first = (
        f"{_insert_sql(model, unless_exists=unique, with_key=True)} "
        f"RETURNING {quote(model._meta.pk.column)}"
    )
    fields = _insert_fields(then)
    # Selected, not VALUES: each value cast to its column's type, as the
    # insert's VALUES would be.
    casts = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields)
    return (
        f"WITH written AS ({first}) "
        f"INSERT INTO {quote(then._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {casts} FROM written RETURNING {quote(then._meta.pk.column)}"
    )


def _is_primary_key_violation(error: IntegrityError, model: type[models.Model]) -> bool:
    diag = getattr(error.__cause__, "diag", None)
    constraint = getattr(diag, "constraint_name", None) or ""
    return constraint == f"{model._meta.db_table}_pkey"
