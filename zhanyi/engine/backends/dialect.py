"""SQL differences between the engines, in one place.

The engine's queries are written in the common subset of DuckDB and Spark SQL
(integer arithmetic, window functions, ``GREATEST``/``LEAST``, ``CASE``) and
call these helpers for the rest, so no query module says ``if spark``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Dialect:
    name: str

    @staticmethod
    def int_list(values: Iterable[int]) -> str:
        """``(1, 2, 3)`` for an ``IN`` filter; every value is checked to be an integer.

        Literal lists (rather than a join) let both engines prune Parquet row
        groups by their min/max statistics.
        """
        items = []
        for v in values:
            if isinstance(v, bool) or not isinstance(v, int | np.integer):
                raise TypeError(f"not an integer: {v!r}")
            items.append(str(int(v)))
        if not items:
            # An empty IN list is a syntax error in both engines; NULL matches nothing.
            return "(NULL)"
        return "(" + ", ".join(items) + ")"


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")
