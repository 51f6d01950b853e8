"""The checkpoints on the command map (``zhanyi.places.map_layers``): each
active station with a point, with the day's flow (vehicles and people
checked, turned back) on the local day of ``now``."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from zhanyi.checkpoints.metrics import TALLY
from zhanyi.checkpoints.models import Check, Station
from zhanyi.checkpoints.rules import local_day
from zhanyi.places.map_layers import layer, point
from zhanyi.places.models import Area


@layer("checkpoints", _("Checkpoints"), order=40)
def checkpoints(area: Area | None, now: dt.datetime, named: bool) -> list[dict]:
    stations = Station.objects.filter(active=True).exclude(lon=None).exclude(lat=None)
    if area is not None:
        stations = stations.filter(area__path__startswith=area.path)
    day = local_day(now)
    flows = {
        row["station_id"]: row
        for row in Check.objects.filter(day=day, station__in=stations)
        .values("station_id")
        .annotate(**TALLY)
    }
    none = dict.fromkeys(TALLY, 0)
    features = []
    for s in stations.order_by("name", "pk"):
        flow = flows.get(s.pk, none)
        features.append(
            point(
                s.lon,
                s.lat,
                name=s.name,
                kind=s.kind,
                kind_label=str(s.get_kind_display()),
                day=day.isoformat(),
                vehicles=flow["vehicles_checked"],
                people=flow["people_checked"],
                vehicles_turned_back=flow["vehicles_turned_back"],
                people_turned_back=flow["people_turned_back"],
            )
        )
    return features
