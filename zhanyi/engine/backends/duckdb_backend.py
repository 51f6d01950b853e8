"""The DuckDB backend: embedded, the default."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pyarrow as pa

from zhanyi.engine.backends import Backend, LogicalQuery, ParquetFiles, Table
from zhanyi.engine.backends.dialect import DUCKDB


class DuckDBBackend(Backend):
    name = "duckdb"
    dialect = DUCKDB

    def __init__(
        self,
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
        connection: duckdb.DuckDBPyConnection | None = None,
    ) -> None:
        self.con = connection or duckdb.connect(":memory:")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self.con.execute("SET memory_limit = ?", [memory_limit])
        # Queries on the same day files repeat (one per case list); keeping
        # their Parquet footers saves reading them each time. DuckDB checks
        # the file's modification time, so a rebuilt day is read afresh.
        self.con.execute("SET parquet_metadata_cache = true")
        self._registered: list[str] = []

    def _register(self, name: str, table: Table) -> None:
        if isinstance(table, ParquetFiles) and table.paths:
            rel = self.con.read_parquet(list(table.paths))
            rel.create_view(name, replace=True)
        else:
            arrow = table.schema.empty_table() if isinstance(table, ParquetFiles) else table
            self.con.register(name, arrow)
        self._registered.append(name)

    def run(self, query: LogicalQuery, tables: Mapping[str, Table]) -> pa.Table:
        con = self.con
        try:
            for name, table in tables.items():
                self._register(name, table)
            for name, sql in query.steps:
                kind = "TABLE" if name in query.materialize else "VIEW"
                con.execute(f"CREATE OR REPLACE TEMP {kind} {name} AS {sql}")
            return con.sql(query.final).to_arrow_table()
        finally:
            for name, _ in reversed(query.steps):
                kind = "TABLE" if name in query.materialize else "VIEW"
                con.execute(f"DROP {kind} IF EXISTS {name}")
            for name in self._registered:
                con.execute(f"DROP VIEW IF EXISTS {name}")
            self._registered.clear()

    def close(self) -> None:
        self.con.close()
