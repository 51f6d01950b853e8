"""Model instances from plain SQL rows, for the few requests that cannot pay
for the ORM's query compilation.

A sampling point's scan (``zhanyi.testing.lane``) is answered in a few
milliseconds of Python; building a ``select_related`` queryset's SQL and its
model-init plan costs about a millisecond per query on its own. A ``Loader``
does that work once per model: the column list for a ``SELECT`` and the
converters the database needs (SQLite returns dates as text, booleans as
integers), so a hot path writes its SQL by hand and still gets real model
instances, converted exactly as the ORM would convert them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, models


@dataclass(frozen=True)
class Loader:
    model: type[models.Model]
    alias: str
    #: Every concrete field, in the model's order (``Model.from_db``'s fast path).
    fields: tuple
    #: (position, converter functions, expression) for the fields that need converting.
    converting: tuple

    @property
    def width(self) -> int:
        return len(self.fields)

    def select(self, table_alias: str) -> str:
        """The column list, qualified by ``table_alias``: ``"x"."id", "x"."name", …``."""
        quote = connections[self.alias].ops.quote_name
        return ", ".join(f"{table_alias}.{quote(f.column)}" for f in self.fields)

    def load(self, values: Sequence) -> models.Model:
        """The instance for one row's values of this loader's columns."""
        if self.converting:
            values = list(values)
            connection = connections[self.alias]
            for position, converters, expression in self.converting:
                value = values[position]
                for convert in converters:
                    value = convert(value, expression, connection)
                values[position] = value
        return self.model.from_db(self.alias, None, values)


@functools.cache
def loader(model: type[models.Model], alias: str = DEFAULT_DB_ALIAS) -> Loader:
    """The loader of ``model`` on the database ``alias`` (built once per process)."""
    connection = connections[alias]
    fields = tuple(model._meta.concrete_fields)
    converting = []
    for position, field in enumerate(fields):
        expression = field.get_col(model._meta.db_table)
        converters = tuple(
            connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
        )
        if converters:
            converting.append((position, converters, expression))
    return Loader(model, alias, fields, tuple(converting))


@dataclass(frozen=True)
class Write:
    """A data-changing statement to run with an insert (``insert(along=…)``)."""

    sql: str
    params: Sequence


def insert(
    obj: models.Model, *, unless_exists: str | None = None, along: Sequence[Write] = ()
) -> bool:
    """INSERT a new instance in one statement written once per model.

    Values are prepared by each field as ``Model.save`` prepares them
    (``pre_save`` fills ``auto_now_add``); no signals are sent, so use it
    only for models nothing listens to. Returns True with ``obj.pk`` set.
    With ``unless_exists`` (the name of a unique field), a row already
    holding that value is left alone and False is returned: one statement,
    no savepoint, safe against a concurrent insert of the same value.

    ``along``: independent writes that belong with this row (a scan's
    samples and tube, with its audit record). On PostgreSQL they travel in
    the same statement, as data-modifying ``WITH`` clauses (each sees the
    database as it was before the statement, so none may read another's
    rows); elsewhere they run just before it, in order.
    """
    model = type(obj)
    connection = connections[DEFAULT_DB_ALIAS]
    fields = _insert_fields(model)
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    sql = _insert_sql(model, unless_exists)
    with connection.cursor() as cursor:
        if along and connection.vendor == "postgresql":
            clauses = ", ".join(f"along{i} AS ({w.sql})" for i, w in enumerate(along))
            sql = f"WITH {clauses} {sql}"
            values = [*(p for w in along for p in w.params), *values]
        else:
            for write in along:
                cursor.execute(write.sql, write.params)
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = DEFAULT_DB_ALIAS
    return True


@functools.cache
def _insert_fields(model: type[models.Model]) -> tuple:
    return tuple(f for f in model._meta.concrete_fields if not f.primary_key)


@functools.cache
def _insert_sql(model: type[models.Model], unless_exists: str | None) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    fields = _insert_fields(model)
    conflict = ""
    if unless_exists is not None:
        conflict = f" ON CONFLICT ({quote(model._meta.get_field(unless_exists).column)}) DO NOTHING"
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}){conflict} "
        f"RETURNING {quote(model._meta.pk.column)}"
    )
