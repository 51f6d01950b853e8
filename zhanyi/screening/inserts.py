"""Plain bulk inserts for the intake's big tables (records, tasks, steps, source records).

``bulk_create`` prepares every value of every row through the field's
machinery and, on SQLite, cuts a 28-column insert into batches of 35 rows;
for a 163,000-row list that overhead is most of the storing time. An
``Inserter`` builds one parameterised ``INSERT`` from the model's metadata
(every value travels as a parameter) and runs it with ``executemany``, or
``COPY … FROM STDIN`` on PostgreSQL, adapting only dates, datetimes and JSON.
The same approach as the person index's bulk import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


class Inserter:
    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        self.fields = [model._meta.get_field(name) for name in fields]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        table = quote(model._meta.db_table)
        self.sql = (
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(self.fields))})"
        )
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"
        self.copy = connection.vendor == "postgresql"
        ops = connection.ops
        self.adapted: list[tuple[int, Any]] = []
        for i, f in enumerate(self.fields):
            if isinstance(f, models.DateTimeField):
                self.adapted.append((i, ops.adapt_datetimefield_value))
            elif isinstance(f, models.DateField):
                self.adapted.append((i, ops.adapt_datefield_value))
            elif isinstance(f, models.JSONField):
                self.adapted.append((i, lambda v, enc=f.encoder: ops.adapt_json_value(v, enc)))

    def run(self, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        prepared = []
        for row in rows:
            values = list(row)
            for i, adapt in self.adapted:
                if values[i] is not None:
                    values[i] = adapt(values[i])
            prepared.append(values)
        with connection.cursor() as cursor:
            if self.copy:
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for values in prepared:
                        copy.write_row(values)
            else:
                cursor.executemany(self.sql, prepared)
