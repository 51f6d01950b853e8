"""The cases on the command map (``zhanyi.places.map_layers``): each live case
not discharged by ``now`` or reported in the 14 days before it, at its residence (its
compound's point, else its grid's or village's centre). For a reader who may
not see persons (or a wall screen) a case is a dot with its classification,
report day and village, and nothing that names the person."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.map_layers import layer, point
from zhanyi.places.models import Area
from zhanyi.tracing.models import Case

#: A discharged case stays on the map this long after its report.
RECENT_DAYS = 14


def _where(case: Case) -> tuple[float, float] | None:
    household = case.person.household
    for spot in (
        household.place if household else None,
        household.grid if household else None,
        case.person.village,
        case.area,
    ):
        if spot is not None and spot.lon is not None and spot.lat is not None:
            return spot.lon, spot.lat
    return None


@layer("cases", _("Cases"), persons=True, order=20)
def cases(area: Area | None, now: dt.datetime, named: bool) -> list[dict]:
    recent = now - dt.timedelta(days=RECENT_DAYS)
    in_care = Q(discharged_at=None) | Q(discharged_at__gt=now)
    shown = Case.objects.filter(reported_at__lte=now).filter(in_care | Q(reported_at__gte=recent))
    if area is not None:
        shown = shown.filter(area__path__startswith=area.path)
    shown = shown.select_related(
        "area", "person__village", "person__household__place", "person__household__grid"
    ).order_by("reported_at", "pk")
    features = []
    for case in shown:
        spot = _where(case)
        if spot is None:
            continue
        properties = {
            "classification": case.classification,
            "classification_label": str(case.get_classification_display()),
            "reported": case.reported_at.astimezone(LOCAL_TZ).date().isoformat(),
            "village": (case.person.village or case.area).name,
            "discharged": case.discharged_at is not None and case.discharged_at <= now,
        }
        if named:
            properties["name"] = case.person.name
            properties["url"] = reverse("tracing:case", args=[case.pk])
        features.append(point(*spot, **properties))
    return features
