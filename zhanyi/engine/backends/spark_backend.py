"""The Apache Spark backend, for data that outgrows one machine.

This is the only module that imports ``pyspark`` (the optional ``spark``
extra). By default it starts a local session; pass ``session=`` to run on a
cluster. The same Parquet files and the same logical queries as DuckDB.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from zhanyi.engine.backends import Backend, LogicalQuery, ParquetFiles, Table
from zhanyi.engine.backends.dialect import SPARK


def local_session(threads: int = 2, memory: str = "2g"):
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(f"local[{int(threads)}]")
        .appName("zhanyi")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", memory)
        # Small local jobs: the default 200 shuffle partitions cost more than the work.
        .config("spark.sql.shuffle.partitions", str(max(2, 2 * int(threads))))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )


class SparkBackend(Backend):
    name = "spark"
    dialect = SPARK

    def __init__(self, *, session=None, threads: int = 2, memory: str = "2g") -> None:
        self.spark = session or local_session(threads, memory)
        self._owns_session = session is None
        self._cached: list = []

    def _frame(self, table: Table):
        if isinstance(table, ParquetFiles):
            schema = self.spark.createDataFrame(table.schema.empty_table()).schema
            if not table.paths:
                return self.spark.createDataFrame([], schema)
            return self.spark.read.schema(schema).parquet(*table.paths)
        return self.spark.createDataFrame(table)

    def run(self, query: LogicalQuery, tables: Mapping[str, Table]) -> pa.Table:
        spark = self.spark
        views = []
        try:
            for name, table in tables.items():
                self._frame(table).createOrReplaceTempView(name)
                views.append(name)
            for name, sql in query.steps:
                df = spark.sql(sql)
                if name in query.materialize:
                    df = df.cache()
                    self._cached.append(df)
                df.createOrReplaceTempView(name)
                views.append(name)
            return spark.sql(query.final).toArrow()
        finally:
            for df in self._cached:
                df.unpersist()
            self._cached.clear()
            for name in views:
                spark.catalog.dropTempView(name)

    def close(self) -> None:
        if self._owns_session:
            self.spark.stop()
