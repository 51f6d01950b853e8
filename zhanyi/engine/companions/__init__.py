"""Spatiotemporal companions (时空伴随): who shared a grid cell with a case.

- ``ingest``: location records or stays → a store laid out for the query
  (``store``), incremental by day, with malformed rows counted by kind, and
  ``purge`` after the retention period.
- ``query``: the companion definition, run on DuckDB or Spark
  (``zhanyi.engine.backends``), for one case or many at once.
- ``reference``: a brute-force version in plain Python for the tests.

The rule's numbers come from the protocol file (``[companion]``).
"""

from __future__ import annotations

from zhanyi.engine.companions.ingest import (
    REJECT_KINDS,
    IngestReport,
    ingest_file,
    ingest_stays,
    purge,
)
from zhanyi.engine.companions.query import CASES, COMPANIONS, find_companions, plan_cases
from zhanyi.engine.companions.store import Store

__all__ = [
    "CASES",
    "COMPANIONS",
    "REJECT_KINDS",
    "IngestReport",
    "Store",
    "find_companions",
    "ingest_file",
    "ingest_stays",
    "plan_cases",
    "purge",
]
