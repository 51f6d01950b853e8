"""Hand-written inserts (fast path): one statement written once per model,
and writes carried in the same statement as an insert.

The scan's fast path (``zhanyi.testing.fastpath``), a check at a checkpoint
(``zhanyi.checkpoints.fastpath``) and the audit record they carry
(``zhanyi.accounts.fastpath``) use these; everything else saves through the
ORM. A new row's key is always the database's own, given in the statement
that writes the row: no key is reserved ahead, so none can be stale (a
sequence set back by a restore, another database's keys).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from zhanyi.core.db import dialect

from .statements import cursor

#: The name under which ``insert_new_with``'s carried writes read the new
#: row's key: a row set of one column, ``id``, holding one row when the new
#: row was written and none when it was not (``SELECT … FROM written``).
WRITTEN = "written"


@dataclass(frozen=True)
class Write:
    """A data-changing statement carried by an insert (``insert(carrying=…)``)."""

    sql: str
    params: Sequence


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
def _insert_fields(model: type[models.Model]) -> tuple:
    return tuple(f for f in model._meta.concrete_fields if not f.primary_key)


def _values(obj: models.Model, fields: tuple) -> list:
    """The values of ``fields`` as ``Model.save`` prepares them for an insert."""
    connection = connections[DEFAULT_DB_ALIAS]
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


@functools.cache
def _insert_sql(model: type[models.Model], *, unless_exists: str | None = None) -> str:
    """The model's INSERT without its key, returning the one the database gives
    (or nothing if ``unless_exists`` finds the value taken)."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    fields = _insert_fields(model)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if unless_exists is not None:
        sql += f" ON CONFLICT ({quote(model._meta.get_field(unless_exists).column)}) DO NOTHING"
    return f"{sql} RETURNING {quote(model._meta.pk.column)}"


def insert_new_with(
    obj: models.Model,
    *,
    unique: str,
    then: Callable[[models.Model], models.Model],
    naming: str,
    carrying: Sequence[Write] = (),
) -> models.Model | None:
    """INSERT ``obj`` unless a row holds its ``unique`` field's value already,
    and with it the writes ``carrying`` and the row ``then(obj)`` makes (the
    audit record naming it), only when ``obj`` was written; that row, or None
    when ``obj`` was not written (nothing was).

    ``naming`` is the field of ``then``'s row that holds ``obj``'s key (the
    record's ``object_id``); each carried write reads that key as
    ``SELECT … FROM written`` (``WRITTEN``), so it writes only with ``obj``.

    On PostgreSQL all of it is one statement, with no transaction to open:
    ``obj``'s insert is a data-modifying ``WITH`` clause that takes its key
    from the table's sequence (its column default, as ``save`` does) and
    skips a taken value (``ON CONFLICT DO NOTHING``, safe against a
    concurrent insert of the same value: the loser writes nothing, no
    error); the carried writes and ``then``'s row are inserted for each row
    it wrote. ``then`` is called before the key is known (``obj.pk`` is
    None); its ``naming`` field is written from the key and set afterwards.
    Elsewhere the inserts run in a transaction, ``then`` called after
    ``obj`` is written. No signals are sent (as ``insert``).
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if not dialect.is_postgresql(connection):
        with transaction.atomic():
            if not insert(obj, unless_exists=unique):
                return None
            with cursor() as db:
                for write in carrying:
                    db.execute(
                        f"WITH {WRITTEN}(id) AS (SELECT %s) {write.sql}", [obj.pk, *write.params]
                    )
            row = then(obj)
            insert(row)
            return row
    model = type(obj)
    obj.pk = None
    row = then(obj)
    then_fields = tuple(f for f in _insert_fields(type(row)) if f.name != naming)
    head, tail = _insert_new_with_sql(model, unique, type(row), naming)
    carried = "".join(f", carried{i} AS ({w.sql})" for i, w in enumerate(carrying))
    values = [
        *_values(obj, _insert_fields(model)),
        *(p for w in carrying for p in w.params),
        *_values(row, then_fields),
    ]
    with cursor() as db:
        db.execute(f"{head}{carried} {tail}", values)
        found = db.fetchone()
    if found is None:
        return None
    row.pk, obj.pk = found
    named = type(row)._meta.get_field(naming)
    setattr(row, named.attname, named.to_python(obj.pk))
    for written in (obj, row):
        written._state.adding = False
        written._state.db = DEFAULT_DB_ALIAS
    return row


@functools.cache
def _insert_new_with_sql(
    model: type[models.Model], unique: str, then: type[models.Model], naming: str
) -> tuple[str, str]:
    """``insert_new_with``'s statement on PostgreSQL in two parts, the carried
    writes' clauses to go between them: ``obj``'s insert as the ``WITH``
    clause ``written``, and ``then``'s row inserted from it."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    fields = _insert_fields(then)
    # Selected, not VALUES: each value cast to its column's type, as the
    # insert's VALUES would be; the naming field is the new key.
    columns = ", ".join(
        f"CAST({WRITTEN}.id AS {f.db_type(connection)})"
        if f.name == naming
        else f"CAST(%s AS {f.db_type(connection)})"
        for f in fields
    )
    head = f"WITH {WRITTEN}(id) AS ({_insert_sql(model, unless_exists=unique)})"
    tail = (
        f"INSERT INTO {quote(then._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {columns} FROM {WRITTEN} "
        f"RETURNING {quote(then._meta.pk.column)}, (SELECT id FROM {WRITTEN})"
    )
    return head, tail
