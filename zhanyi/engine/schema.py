"""Arrow schemas of the tables the engine writes and reads.

These are the contract between the synthetic city generator, the companion
engine, the Django bridge modules and any outside loader. Times are UTC
instants (``timestamp[s, tz=UTC]``); the city's local time is Asia/Shanghai.
"""

from __future__ import annotations

import pyarrow as pa

TZ = "UTC"
LOCAL_TZ = "Asia/Shanghai"
TS = pa.timestamp("s", tz=TZ)

#: A stay (驻留): one phone (person) in one 800 m cell from ``start`` to ``end``.
#: Written by day under ``stays/day=YYYY-MM-DD/*.parquet`` (the local day the
#: stay starts on); a stay never crosses local midnight in generated data, but
#: readers must not rely on that for data from outside.
STAYS = pa.schema(
    [
        pa.field("person_id", pa.int64(), nullable=False),
        pa.field("cell_id", pa.int32(), nullable=False),
        pa.field("start", TS, nullable=False),
        pa.field("end", TS, nullable=False),
    ]
)

#: A raw location record (phone ping) before it is merged into stays.
LOCATION_RECORDS = pa.schema(
    [
        pa.field("person_id", pa.int64(), nullable=False),
        pa.field("ts", TS, nullable=False),
        pa.field("cell_id", pa.int32(), nullable=True),
        pa.field("lon", pa.float64(), nullable=True),
        pa.field("lat", pa.float64(), nullable=True),
    ]
)
