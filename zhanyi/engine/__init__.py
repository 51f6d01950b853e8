"""Framework-free computation for zhanyi.

Nothing under ``zhanyi.engine`` imports Django: the functions here take and
return plain Python values, Arrow/Polars tables and Parquet paths, so they run
the same inside the web app, on the command line, in a benchmark or on Spark.
A ruff rule (``zhanyi/engine/ruff.toml``) enforces the boundary.
"""
