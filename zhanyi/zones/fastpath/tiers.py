"""The zones in force over area paths, in one prepared statement (fast path).

``zhanyi.zones.risk_tiers.tiers`` asks it for every check at a checkpoint:
building the ORM's query (the zone-area link, its zone and area, the zones in
force) cost more than running it. The statement's text is the same for any
number of paths (one array parameter on PostgreSQL), so its connection plans
it once; it always reads the database, so a zone approved, stepped down or
lifted counts from the next check on, in every server process.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connection

from zhanyi.core.db import dialect
from zhanyi.core.fastpath import statements
from zhanyi.places.models import Area
from zhanyi.zones.models import Zone, ZoneState

Row = tuple[str, int, str, str, dt.datetime]

#: The states of a zone that was approved (a lifted zone was in force until lifted).
APPROVED = (ZoneState.IN_FORCE.value, ZoneState.LIFTED.value)


@functools.cache
def _sql(placeholders: str) -> str:
    quote = connection.ops.quote_name
    through = Zone.areas.through._meta.db_table
    return (
        f"SELECT a.path, z.id, z.tier, z.name, z.starts_at "
        f"FROM {quote(through)} za "
        f"JOIN {quote(Zone._meta.db_table)} z ON z.id = za.zone_id "
        f"JOIN {quote(Area._meta.db_table)} a ON a.id = za.area_id "
        f"WHERE a.path {placeholders} AND z.state IN (%s, %s) AND z.starts_at <= %s "
        f"AND (z.lifted_at IS NULL OR z.lifted_at > %s)"
    )


def zones_over(paths: list[str], at: dt.datetime) -> list[Row]:
    """(area path, zone id, tier, zone name, in force since) for every zone
    in force at ``at`` over one of ``paths`` exactly."""
    if not paths:
        return []
    sql = dialect.pick(
        postgresql=_sql("= ANY(%s::text[])"),
        sqlite=_sql(f"IN ({', '.join(['%s'] * len(paths))})"),
    )
    params = dialect.pick(postgresql=[list(paths)], sqlite=list(paths))
    with statements.cursor() as cursor:
        cursor.execute(sql, [*params, *APPROVED, at, at])
        rows = cursor.fetchall()
    converters = _starts_at_converters()
    out: list[Row] = []
    for path, zone_id, tier, name, starts_at in rows:
        for convert in converters:
            starts_at = convert(starts_at, _starts_at_expression(), connection)
        out.append((path, zone_id, tier, name, starts_at))
    return out


@functools.cache
def _starts_at_expression():
    return Zone._meta.get_field("starts_at").get_col(Zone._meta.db_table)


@functools.cache
def _starts_at_converters() -> tuple:
    """What the ORM does to a ``starts_at`` read (SQLite gives text)."""
    field = Zone._meta.get_field("starts_at")
    return tuple(
        connection.ops.get_db_converters(_starts_at_expression())
        + field.get_db_converters(connection)
    )
