"""Figures of the testing task force (数出一门): one definition each."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhanyi.core import figure_cache
from zhanyi.core.metrics import area_filter, figure, for_areas, tally
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area
from zhanyi.testing.models import (
    Purpose,
    RoundTarget,
    Sample,
    TestingRound,
    TestResult,
    Tube,
    TubeStatus,
)


def _today_start() -> dt.datetime:
    local = timezone.now().astimezone(LOCAL_TZ)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@tally(
    "testing.samples_today",
    _("Samples taken today"),
    _("people"),
    order=60,
    link="testing:home",
    area="tube__area",
)
def samples_today():
    return Sample.objects.filter(sampled_at__gte=_today_start())


@tally(
    "testing.tubes_pending",
    _("Tubes awaiting a result"),
    _("tubes"),
    order=61,
    link="testing:home",
    area="area",
)
def tubes_pending():
    return Tube.objects.exclude(status__in=[TubeStatus.OPEN, TubeStatus.REPORTED])


@tally(
    "testing.positive_tubes",
    _("Positive tubes"),
    _("tubes"),
    order=62,
    link="testing:home",
    area="area",
)
def positive_tubes():
    return Tube.objects.filter(result="positive")


@figure("testing.coverage", _("Coverage of open rounds"), "%", order=63, link="testing:home")
def coverage(area: Area | None) -> float:
    """Tested share of the targets (not exempt) of the rounds open now.

    A target counts as tested when a result came back for their sample of
    that same round: a walk-in tested in another round does not lift this
    one. One query: the targets joined to their round's sample and tube, as
    the round's own coverage (``queries.coverage_by_village``) counts them.
    """
    now = timezone.now()
    q = connection.ops.quote_name
    area_join = area_where = ""
    params: list = [TestResult.NEGATIVE.value, TestResult.POSITIVE.value, Purpose.ROUND.value]
    if area is not None:
        area_join = f"JOIN {q(Area._meta.db_table)} v ON v.id = t.village_id"
        area_where = "AND v.path LIKE %s"
    sql = (
        "SELECT COALESCE(SUM(CASE WHEN NOT t.exempt THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN NOT t.exempt AND tb.result IN (%s, %s) THEN 1 ELSE 0 END), 0) "
        f"FROM {q(RoundTarget._meta.db_table)} t "
        f"JOIN {q(TestingRound._meta.db_table)} r ON r.id = t.round_id {area_join} "
        f"LEFT JOIN {q(Sample._meta.db_table)} s ON s.round_id = t.round_id "
        "AND s.person_id = t.person_id AND s.purpose = %s "
        f"LEFT JOIN {q(Tube._meta.db_table)} tb ON tb.id = s.tube_id "
        f"WHERE r.starts_at <= %s AND r.ends_at > %s {area_where}"
    )
    stamp = connection.ops.adapt_datetimefield_value(now)  # as the ORM compares it
    params += [stamp, stamp]
    if area is not None:
        params.append(area.path + "%")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        need, tested = cursor.fetchone()
    if not need:
        return 0.0
    return round(100 * int(tested) / int(need), 1)


@figure(
    "testing.tubes_planned", _("Tubes the next 24 hours' rounds still need"), _("tubes"), order=64
)
def tubes_planned(area: Area | None) -> int:
    """Targets (not exempt) of the rounds open now or opening within 24 hours
    who have no sample in that round yet, in tubes of the round's pool size.
    The supplies forecast reads it as the day's planned sampling."""
    now = timezone.now()
    total = 0
    rounds = TestingRound.objects.filter(ends_at__gt=now, starts_at__lt=now + dt.timedelta(days=1))
    for r in rounds.only("pk", "pool_size"):
        # NOT EXISTS, an anti-join: NOT IN over a whole city's samples (5
        # million) is a subplan PostgreSQL cannot hash in its working memory,
        # rescanned for every target.
        sampled = Sample.objects.filter(
            round=r, purpose=Purpose.ROUND, person_id=OuterRef("person_id")
        )
        waiting = (
            RoundTarget.objects.filter(round=r, exempt=False, **area_filter(area, "village__path"))
            .exclude(Exists(sampled))
            .count()
        )
        total += -(-waiting // max(r.pool_size, 1))
    return total


class _Targets(NamedTuple):
    """A round's targets in one village (exempt ones in none of the counts)."""

    round_id: int
    pool_size: int
    open_now: bool
    path: str  # the village's
    need: int
    tested: int
    waiting: int  # not sampled yet


def _round_targets_by_village(now: dt.datetime) -> list[_Targets]:
    """The targets of the rounds open now or within 24 hours, by round and
    village, in one pass over the whole city, read once per pass of figures
    (the report's city and counties, the supplies forecast)."""
    q = connection.ops.quote_name
    sql = (
        "SELECT r.id, r.pool_size, r.starts_at <= %s, COALESCE(v.path, ''), "
        "COUNT(*) FILTER (WHERE NOT t.exempt), "
        "COUNT(*) FILTER (WHERE NOT t.exempt AND tb.result IN (%s, %s)), "
        "COUNT(*) FILTER (WHERE NOT t.exempt AND s.id IS NULL) "
        f"FROM {q(RoundTarget._meta.db_table)} t "
        f"JOIN {q(TestingRound._meta.db_table)} r ON r.id = t.round_id "
        f"LEFT JOIN {q(Area._meta.db_table)} v ON v.id = t.village_id "
        f"LEFT JOIN {q(Sample._meta.db_table)} s ON s.round_id = t.round_id "
        "AND s.person_id = t.person_id AND s.purpose = %s "
        f"LEFT JOIN {q(Tube._meta.db_table)} tb ON tb.id = s.tube_id "
        "WHERE r.ends_at > %s AND r.starts_at < %s "
        "GROUP BY r.id, r.pool_size, r.starts_at, v.path"
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    ahead = connection.ops.adapt_datetimefield_value(now + dt.timedelta(days=1))
    params = [
        stamp,
        TestResult.NEGATIVE.value,
        TestResult.POSITIVE.value,
        Purpose.ROUND.value,
        stamp,
        ahead,
    ]

    def read() -> list[_Targets]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [
                _Targets(int(r), int(k), bool(o), p, int(n), int(t), int(w))
                for r, k, o, p, n, t, w in cursor.fetchall()
            ]

    return figure_cache.shared("testing.round_targets", read)


def _within(rows: list[_Targets], area: Area | None) -> list[_Targets]:
    return [row for row in rows if area is None or row.path.startswith(area.path)]


@for_areas("testing.coverage")
def coverage_in(areas) -> list[float]:
    """``coverage`` for each of ``areas`` from one reading of every target."""
    rows = [row for row in _round_targets_by_village(timezone.now()) if row.open_now]
    out = []
    for area in areas:
        mine = _within(rows, area)
        need = sum(row.need for row in mine)
        out.append(round(100 * sum(row.tested for row in mine) / need, 1) if need else 0.0)
    return out


@for_areas("testing.tubes_planned")
def tubes_planned_in(areas) -> list[int]:
    """``tubes_planned`` for each of ``areas`` from one reading of every target:
    each round's waiting targets in the area, in tubes of its pool size."""
    rows = _round_targets_by_village(timezone.now())
    out = []
    for area in areas:
        waiting: dict[int, int] = {}
        pools: dict[int, int] = {}
        for row in _within(rows, area):
            waiting[row.round_id] = waiting.get(row.round_id, 0) + row.waiting
            pools[row.round_id] = row.pool_size
        out.append(sum(-(-n // max(pools[r], 1)) for r, n in waiting.items()))
    return out
