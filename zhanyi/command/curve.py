"""The epidemic's curve and its reproduction number, read for one area.

Cases (``tracing.Case``, voided ones left out) counted per day by onset date
or by the day its positive result was reported, for the area and each area
below it; the area's Rt by Cori et al. (2013) with a parametric serial
interval (``zhanyi.engine.epi.rt``, as EpiEstim), its doubling time and the
expected cases of the next days. The arithmetic is the engine's; this module
turns the database's rows into its arrays.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhanyi.engine.epi.curve import daily_counts
from zhanyi.engine.epi.rt import doubling_time, estimate_rt, project
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area
from zhanyi.tracing.models import Case

#: Serial interval of SARS-CoV-2 used unless the reader gives another (days):
#: the mean and standard deviation of the gamma EpiEstim offsets by a day.
SERIAL_INTERVAL_MEAN = 4.8
SERIAL_INTERVAL_SD = 2.3
#: Days of the projection.
HORIZON = 7
BY = {"onset": "onset_date", "report": "reported_at"}


@dataclass
class Curve:
    area: Area
    by: str
    days: list[dt.date]
    #: (area, daily counts) for each area below ``area`` that has cases.
    parts: list[tuple[Area, list[int]]]
    total: list[int]
    #: Rt per day (None where the window has no estimate): mean, 2.5 % and 97.5 %.
    rt: list[float | None]
    rt_low: list[float | None]
    rt_high: list[float | None]
    doubling_days: float | None
    projection: list[float]
    serial_interval: tuple[float, float]
    undated: int  # cases without the chosen date (no onset recorded)

    def as_dict(self) -> dict:
        return {
            "area": self.area.code,
            "by": self.by,
            "days": [d.isoformat() for d in self.days],
            "parts": [{"area": a.code, "name": a.name, "cases": c} for a, c in self.parts],
            "total": self.total,
            "rt": {"mean": self.rt, "low": self.rt_low, "high": self.rt_high},
            "doubling_days": self.doubling_days,
            "projection": self.projection,
            "serial_interval": {"mean": self.serial_interval[0], "sd": self.serial_interval[1]},
            "undated": self.undated,
        }


def _finite(values: np.ndarray) -> list[float | None]:
    return [None if not math.isfinite(v) else round(float(v), 6) for v in values]


def epidemic_curve(
    area: Area,
    *,
    by: str = "onset",
    si_mean: float = SERIAL_INTERVAL_MEAN,
    si_sd: float = SERIAL_INTERVAL_SD,
) -> Curve:
    """The curve of ``area`` (the caller has checked the reader may see it)."""
    if by not in BY:
        raise ValidationError({"by": _("Count cases by onset or by report date.")})
    if si_mean <= 1 or si_sd <= 0:
        raise ValidationError(
            {"serial_interval": _("The serial interval needs a mean above 1 day and a spread.")}
        )
    field = BY[by]
    rows = list(
        Case.objects.filter(area__path__startswith=area.path).values_list("area__path", field)
    )
    dated = [(path, _day(value)) for path, value in rows if value is not None]
    children = list(area.children.order_by("path"))
    if not dated:
        return Curve(area, by, [], [], [], [], [], [], None, [], (si_mean, si_sd), len(rows))
    first = min(d for _p, d in dated)
    last = max(d for _p, d in dated)
    days = (last - first).days + 1
    day_index = np.array([(d - first).days for _p, d in dated])
    part_index = np.array([_part(path, children) for path, _d in dated])
    counts = daily_counts(part_index, day_index, len(children) + 1, days)
    total = counts.sum(axis=0)
    curve = Curve(
        area=area,
        by=by,
        days=[first + dt.timedelta(days=i) for i in range(days)],
        parts=[(child, counts[i].tolist()) for i, child in enumerate(children) if counts[i].any()],
        total=total.tolist(),
        rt=[None] * days,
        rt_low=[None] * days,
        rt_high=[None] * days,
        doubling_days=None,
        projection=[],
        serial_interval=(si_mean, si_sd),
        undated=len(rows) - len(dated),
    )
    if counts[len(children)].any():  # cases of the area itself, not below a child
        curve.parts.append((area, counts[len(children)].tolist()))
    if days > 7:
        rt = estimate_rt(total, mean_si=si_mean, std_si=si_sd, quantiles=(0.025, 0.975))
        curve.rt[7:] = _finite(rt.mean[0])
        curve.rt_low[7:] = _finite(rt.quantiles[0.025][0])
        curve.rt_high[7:] = _finite(rt.quantiles[0.975][0])
        latest = rt.mean[:, -1]
        curve.projection = [
            round(float(v), 2)
            for v in project(total, latest, mean_si=si_mean, std_si=si_sd, horizon=HORIZON)[0]
        ]
    if days >= 14:
        doubling = float(doubling_time(total)[0])
        curve.doubling_days = round(doubling, 2) if math.isfinite(doubling) else None
    return curve


def _day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(LOCAL_TZ).date()
    return value


def _part(path: str, children: list[Area]) -> int:
    for i, child in enumerate(children):
        if path.startswith(child.path):
            return i
    return len(children)
