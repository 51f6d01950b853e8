"""The testing sites on the command map (``zhanyi.places.map_layers``): each
active sampling point at its place's point (else its village's centre), with
the day's samples and the tubes still waiting for a result."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.map_layers import layer, point
from zhanyi.places.models import Area
from zhanyi.testing.models import Sample, SamplingSite, Tube, TubeStatus


@layer("testing_sites", _("Testing sites"), order=50)
def sites(area: Area | None, now: dt.datetime, named: bool) -> list[dict]:
    shown = SamplingSite.objects.filter(active=True).select_related("area", "place")
    if area is not None:
        shown = shown.filter(area__path__startswith=area.path)
    shown = list(shown.order_by("area__path", "name", "pk"))
    ids = [s.pk for s in shown]
    local = now.astimezone(LOCAL_TZ)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    samples = dict(
        Sample.objects.filter(tube__site_id__in=ids, sampled_at__gte=midnight, sampled_at__lte=now)
        .values_list("tube__site_id")
        .annotate(n=Count("id"))
        .values_list("tube__site_id", "n")
    )
    waiting = dict(
        Tube.objects.filter(site_id__in=ids)
        .filter(~Q(status=TubeStatus.REPORTED))
        .values_list("site_id")
        .annotate(n=Count("id"))
        .values_list("site_id", "n")
    )
    features = []
    for s in shown:
        spot = s.place if s.place and s.place.lon is not None else s.area
        if spot.lon is None or spot.lat is None:
            continue
        features.append(
            point(
                spot.lon,
                spot.lat,
                name=s.name,
                village=s.area.name,
                samples_today=samples.get(s.pk, 0),
                tubes_waiting=waiting.get(s.pk, 0),
            )
        )
    return features
