"""A check's station and areas read in one prepared statement (fast path).

``queries.get_station_for_user`` (the station inside the user's jurisdiction,
its area loaded) and the origin's and destination's areas by code were three
ORM queries of each check, each costing more to compile than to run.
"""

from __future__ import annotations

import functools

from django.db import connection

from zhanyi.checkpoints import queries
from zhanyi.checkpoints.models import Station
from zhanyi.core import jurisdiction
from zhanyi.core.fastpath import statements
from zhanyi.places.models import Area


@functools.cache
def _sql() -> str:
    quote = connection.ops.quote_name
    stations, areas = statements.loader(Station), statements.loader(Area)
    area_table = quote(Area._meta.db_table)
    return (
        f"SELECT {stations.select('s')}, {areas.select('sa')}, {areas.select('o')}, "
        f"{areas.select('d')} FROM {quote(Station._meta.db_table)} s "
        f"JOIN {area_table} sa ON sa.id = s.area_id "
        f"LEFT JOIN {area_table} o ON o.code = %s "
        f"LEFT JOIN {area_table} d ON d.code = %s "
        f"WHERE s.id = %s AND substr(sa.path, 1, CAST(%s AS integer)) = %s"
    )


def station_and_areas(
    user, station_id: int, origin_code: str, destination_code: str
) -> tuple[Station | None, Area | None, Area | None]:
    """The station with ``station_id`` inside the user's jurisdiction (None
    outside it or when there is none; PermissionDenied without the right to
    read), its area loaded, and the areas whose codes are given (None when
    no area has the code, or none was given)."""
    queries.require_view(user)
    root = jurisdiction.root_path(user) or ""
    with statements.cursor() as cursor:
        cursor.execute(_sql(), [origin_code, destination_code, station_id, len(root), root])
        row = cursor.fetchone()
    if row is None:
        return None, None, None
    stations, areas = statements.loader(Station), statements.loader(Area)
    station = stations.load(row[: stations.width])
    parts = [
        row[stations.width + i * areas.width : stations.width + (i + 1) * areas.width]
        for i in range(3)
    ]
    station.area = areas.load(parts[0])
    origin, destination = (areas.load(p) if p[0] is not None else None for p in parts[1:])
    return station, origin, destination
