"""Backends: run one logical query on an SQL engine and return Arrow.

Heavy engine steps (companion search today; linkage, contact graphs and
analytics later) describe their work once, as a ``LogicalQuery``: named SQL
steps over named input tables, written with the helpers of a ``Dialect`` where
engines differ. A backend registers the inputs (Parquet files or Arrow
tables), runs the steps and returns the final result as an Arrow table.

- ``duckdb`` (default): embedded, one machine.
- ``spark``: Apache Spark, for data that outgrows one machine. ``pyspark`` is
  imported only inside ``spark_backend`` (it is the optional ``spark`` extra).

Inputs are trusted paths and engine-generated SQL: callers never splice user
input into SQL; integers that end up in SQL text go through
``Dialect.int_list``, which validates them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import pyarrow as pa

from zhanyi.engine.backends.dialect import Dialect


@dataclass(frozen=True)
class ParquetFiles:
    """A table stored as Parquet files; ``schema`` is used when there are none."""

    paths: tuple[str, ...]
    schema: pa.Schema

    @classmethod
    def of(cls, paths: Sequence[str | Path], schema: pa.Schema) -> ParquetFiles:
        return cls(tuple(str(p) for p in paths), schema)


Table: TypeAlias = ParquetFiles | pa.Table


@dataclass(frozen=True)
class LogicalQuery:
    """Named SQL steps (each visible to the later ones by name) and a final select."""

    final: str
    steps: tuple[tuple[str, str], ...] = ()
    #: Steps worth computing once because several later steps read them.
    materialize: frozenset[str] = field(default_factory=frozenset)


class Backend(ABC):
    """Runs logical queries. One instance may be reused for many queries."""

    name: str
    dialect: Dialect

    @abstractmethod
    def run(self, query: LogicalQuery, tables: Mapping[str, Table]) -> pa.Table:
        """Register ``tables`` under their names, run ``query``, return its result."""

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release the engine's resources."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


BACKENDS = ("duckdb", "spark")


def get_backend(name: str = "duckdb", **options: Any) -> Backend:
    """A backend by name; ``options`` go to its constructor (threads, memory, …)."""
    if name == "duckdb":
        from zhanyi.engine.backends.duckdb_backend import DuckDBBackend

        return DuckDBBackend(**options)
    if name == "spark":
        from zhanyi.engine.backends.spark_backend import SparkBackend

        return SparkBackend(**options)
    raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")


__all__ = ["BACKENDS", "Backend", "Dialect", "LogicalQuery", "ParquetFiles", "Table", "get_backend"]
