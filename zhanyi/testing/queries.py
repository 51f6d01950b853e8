"""Reads of the testing app, each with its access check.

Coverage (覆盖率) is computed in SQL over the round's targets, samples and
tubes, grouped by village, then rolled up the area tree in Python (a city
has a few thousand villages). Everything is limited to the caller's
jurisdiction: a county's staff see their county's part of a city round.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.accounts.roles import has_capability
from zhanyi.core import jurisdiction
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus
from zhanyi.places.models import LEVEL_DEPTH, Area, AreaLevel
from zhanyi.testing.models import (
    DeliveryBatch,
    Lab,
    RoundTarget,
    Sample,
    SamplingSite,
    TestingRound,
    Tube,
)

from .actions.common import refuse

COVERAGE_LEVELS = (AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)


def require_view(user) -> None:
    if not has_capability(user, "view_person") or jurisdiction.root_path(user) is None:
        raise PermissionDenied("requires view_person and a jurisdiction")


def rounds_for(user) -> QuerySet[TestingRound]:
    """Rounds whose area overlaps the user's jurisdiction (inside it, or containing it)."""
    require_view(user)
    path = jurisdiction.root_path(user)
    qs = TestingRound.objects.select_related("area")
    if path == "":
        return qs
    ancestors = [p + "/" for p in _prefixes(path)]
    return qs.filter(Q(area__path__startswith=path) | Q(area__path__in=ancestors))


def open_rounds_for(user, at=None) -> QuerySet[TestingRound]:
    """The user's rounds under way at ``at`` (now): the ones a sampling point scans into."""
    at = at or timezone.now()
    return rounds_for(user).filter(starts_at__lte=at, ends_at__gte=at)


def _prefixes(path: str) -> list[str]:
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def get_round_for_user(user, round_id: int) -> TestingRound:
    try:
        return rounds_for(user).get(pk=round_id)
    except TestingRound.DoesNotExist:
        raise Http404("no such round") from None


def sites_for(user) -> QuerySet[SamplingSite]:
    require_view(user)
    return jurisdiction.scope(
        SamplingSite.objects.filter(active=True).select_related("area"), user, "area__path"
    )


def get_site_for_user(user, site_id: int) -> SamplingSite:
    try:
        return sites_for(user).get(pk=site_id)
    except SamplingSite.DoesNotExist:
        raise Http404("no such site") from None


def scan_context(
    user, site_id: int | None, round_id: int | None
) -> tuple[SamplingSite | None, TestingRound | None]:
    """The site and round a scan names, each checked as ``get_site_for_user``
    and ``get_round_for_user`` check them (Http404 outside the jurisdiction)."""
    require_view(user)
    site = get_site_for_user(user, site_id) if site_id is not None else None
    round_ = get_round_for_user(user, round_id) if round_id is not None else None
    return site, round_


def tubes_for(user) -> QuerySet[Tube]:
    require_view(user)
    return jurisdiction.scope(Tube.objects.all(), user, "area__path")


def get_tube_for_user(user, barcode: str) -> Tube:
    try:
        return tubes_for(user).select_related("site", "round", "batch__lab").get(barcode=barcode)
    except Tube.DoesNotExist:
        raise Http404("no such tube") from None


def batches_for(user) -> QuerySet[DeliveryBatch]:
    require_view(user)
    return jurisdiction.scope(
        DeliveryBatch.objects.select_related("site", "lab"), user, "site__area__path"
    )


def get_lab(code: str) -> Lab:
    try:
        return Lab.objects.get(code=code)
    except Lab.DoesNotExist:
        raise Http404("no such laboratory") from None


# -- coverage ---------------------------------------------------------------------------


@dataclass
class CoverageRow:
    area: Area
    targets: int = 0
    exempt: int = 0
    sampled: int = 0  # swab taken, result may be pending
    tested: int = 0  # result reported (negative or positive)
    negative: int = 0
    positive: int = 0
    children: list = field(default_factory=list)

    @property
    def due(self) -> int:
        """Still to be tested: targets neither exempt nor reported."""
        return self.targets - self.exempt - self.tested

    @property
    def not_sampled(self) -> int:
        return self.targets - self.exempt - self.sampled

    @property
    def coverage(self) -> float:
        need = self.targets - self.exempt
        return self.tested / need if need else 1.0

    def as_dict(self) -> dict:
        return {
            "area": self.area.code,
            "name": self.area.name,
            "level": self.area.level,
            "targets": self.targets,
            "exempt": self.exempt,
            "sampled": self.sampled,
            "tested": self.tested,
            "negative": self.negative,
            "positive": self.positive,
            "not_sampled": self.not_sampled,
            "due": self.due,
            "coverage": round(self.coverage, 4),
        }


_COVERAGE_SQL = """
SELECT t.village_id,
       COUNT(*),
       SUM(CASE WHEN t.exempt THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT t.exempt AND s.id IS NOT NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT t.exempt AND tb.result = 'negative' THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT t.exempt AND tb.result = 'positive' THEN 1 ELSE 0 END)
FROM {target} t
LEFT JOIN {sample} s ON s.round_id = t.round_id AND s.person_id = t.person_id
     AND s.purpose = 'round'
LEFT JOIN {tube} tb ON tb.id = s.tube_id
WHERE t.round_id = %s
GROUP BY t.village_id
"""


def coverage_by_village(round_: TestingRound) -> dict[int, tuple[int, int, int, int, int]]:
    sql = _COVERAGE_SQL.format(
        target=RoundTarget._meta.db_table,
        sample=Sample._meta.db_table,
        tube=Tube._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [round_.pk])
        return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in cursor.fetchall()}


def coverage(user, round_: TestingRound, *, level: str | None = None) -> tuple[CoverageRow, list]:
    """(total, rows) of the round's coverage inside the user's jurisdiction.

    ``rows`` are the areas of ``level`` (default: one level below the lowest
    area that holds everything the user sees of the round), largest gap first.
    """
    require_view(user)
    path = jurisdiction.root_path(user)
    top = round_.area if round_.area.path.startswith(path) else user.jurisdiction
    return _coverage(round_, path, top, level)


def coverage_for_operator(round_: TestingRound, *, level: str | None = None):
    """The whole round's coverage, for the command line (an operator on the server)."""
    return _coverage(round_, "", round_.area, level)


def retest_list_for_operator(round_: TestingRound) -> QuerySet[Handoff]:
    tube_ids = Tube.objects.filter(round=round_, result="positive").values_list("pk", flat=True)
    return Handoff.objects.filter(
        kind=HandoffKind.RESAMPLE,
        status=HandoffStatus.OPEN,
        origin__in=[f"testing.tube:{pk}" for pk in tube_ids],
    )


def _coverage(round_: TestingRound, path: str, top: Area, level: str | None):
    by_village = coverage_by_village(round_)
    villages = {
        a.pk: a
        for a in Area.objects.filter(pk__in=list(by_village)).only("pk", "path", "code", "name")
    }
    visible = {pk: v for pk, v in by_village.items() if villages[pk].path.startswith(path)}
    codes: set[str] = set()
    for pk in visible:
        codes.update(c for c in villages[pk].path.strip("/").split("/") if c)
    areas = {a.code: a for a in Area.objects.filter(code__in=codes)}
    rows: dict[str, CoverageRow] = {}
    total = CoverageRow(area=top)
    depth = top.path.count("/") - 1
    want_depth = depth + 1
    if level is not None:
        if level not in COVERAGE_LEVELS:
            refuse(
                "level",
                "invalid",
                _("Unknown level; use county, township or village."),
                level,
            )
        want_depth = LEVEL_DEPTH[level] + 1  # path codes counted from the city's
    for pk, (targets, exempt, sampled, negative, positive) in visible.items():
        path_codes = [c for c in villages[pk].path.strip("/").split("/") if c]
        key = path_codes[min(want_depth, len(path_codes)) - 1]
        row = rows.get(key)
        if row is None:
            row = rows[key] = CoverageRow(area=areas[key])
        for r in (row, total):
            r.targets += targets
            r.exempt += exempt
            r.sampled += sampled
            r.negative += negative
            r.positive += positive
            r.tested += negative + positive
    ordered = sorted(rows.values(), key=lambda r: (-r.due, r.area.path))
    return total, ordered


def not_yet_tested(user, round_: TestingRound, area: Area | None = None) -> QuerySet[RoundTarget]:
    """Who is still due in the round (not exempt, no result yet), in the jurisdiction."""
    require_view(user)
    # NOT EXISTS, which PostgreSQL runs as an anti-join; NOT IN would not be.
    tested = Sample.objects.filter(
        round=round_,
        purpose="round",
        person_id=OuterRef("person_id"),
        tube__result__in=["negative", "positive"],
    )
    qs = (
        RoundTarget.objects.filter(round=round_, exempt=False)
        .filter(~Exists(tested))
        .select_related("person", "village")
        .order_by("village__path", "person_id")
    )
    qs = jurisdiction.scope(qs, user, "village__path")
    if area is not None:
        jurisdiction.require_area(user, area)
        qs = qs.filter(village__path__startswith=area.path)
    return qs


def retest_list(user, round_: TestingRound | None = None) -> QuerySet[Handoff]:
    """Open single-tube re-sampling work (单采复核) in the jurisdiction."""
    require_view(user)
    qs = Handoff.objects.filter(
        kind=HandoffKind.RESAMPLE, status=HandoffStatus.OPEN, to_task_force=TaskForceKind.TESTING
    ).select_related("person", "area")
    if round_ is not None:
        tube_ids = Tube.objects.filter(round=round_, result="positive").values_list("pk", flat=True)
        qs = qs.filter(origin__in=[f"testing.tube:{pk}" for pk in tube_ids])
    return jurisdiction.scope(qs, user, "area__path")


def scheduled_due(user, *, until: dt.datetime) -> QuerySet[Handoff]:
    """Scheduled tests handed over by tracing (protocol days) due by ``until``."""
    require_view(user)
    qs = Handoff.objects.filter(
        kind=HandoffKind.TEST,
        status=HandoffStatus.OPEN,
        to_task_force=TaskForceKind.TESTING,
    ).filter(Q(not_before__isnull=True) | Q(not_before__lte=until))
    return jurisdiction.scope(qs.select_related("person", "area"), user, "area__path")


# -- turnaround -------------------------------------------------------------------------

STAGES = (
    ("sample_to_deliver", "sampled_at", "delivered_at"),
    ("deliver_to_receive", "delivered_at", "received_at"),
    ("receive_to_test", "received_at", "tested_at"),
    ("test_to_report", "tested_at", "reported_at"),
    ("chain", "sampled_at", "reported_at"),
)


def _hours(a: dt.datetime | None, b: dt.datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return (b - a).total_seconds() / 3600


def turnaround(user, round_: TestingRound | None = None, *, by: str = "site") -> list[dict]:
    """Median and 90th-percentile hours of each stage, per site or per lab."""
    qs = tubes_for(user).filter(reported_at__isnull=False)
    if round_ is not None:
        qs = qs.filter(round=round_)
    key_field = "site__name" if by == "site" else "batch__lab__name"
    groups: dict[str, dict[str, list[float]]] = {}
    fields = sorted({f for _s, a, b in STAGES for f in (a, b)})
    for row in qs.values_list(key_field, *fields).iterator(chunk_size=5000):
        values = dict(zip(fields, row[1:], strict=True))
        g = groups.setdefault(row[0] or "", {s: [] for s, _a, _b in STAGES})
        for stage, a, b in STAGES:
            h = _hours(values[a], values[b])
            if h is not None:
                g[stage].append(h)
    out = []
    for name, stages in sorted(groups.items()):
        entry = {"name": name, "tubes": len(stages["chain"])}
        for stage, values in stages.items():
            entry[stage] = _summary(values)
        out.append(entry)
    return out


def _summary(values: list[float]) -> dict | None:
    if not values:
        return None
    values = sorted(values)
    p90 = values[min(len(values) - 1, round(0.9 * (len(values) - 1)))]
    return {"median_h": round(statistics.median(values), 2), "p90_h": round(p90, 2)}
