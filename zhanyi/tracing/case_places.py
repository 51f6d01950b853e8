"""What tracing tells the places layer about where cases live and went
(``zhanyi.places.exposure_sites``): each live case's home (its household's
compound and grid, or its village) and every stop of its trajectory."""

from __future__ import annotations

import datetime as dt

from zhanyi.places.exposure_sites import CaseLocation, locates
from zhanyi.places.models import PlaceKind
from zhanyi.tracing.models import Case, TrajectoryEntry

_COMPOUND = PlaceKind.RESIDENTIAL_COMPOUND


@locates
def case_places(since: dt.datetime, until: dt.datetime) -> list[CaseLocation]:
    cases = Case.objects.filter(reported_at__gte=since, reported_at__lte=until)
    out: list[CaseLocation] = []
    homes = cases.values_list(
        "pk",
        "reported_at",
        "area__path",
        "person__village__path",
        "person__household__grid__path",
        "person__household__place_id",
        "person__household__place__kind",
    )
    for pk, reported_at, case_area, village, grid, place_id, place_kind in homes:
        out.append(
            CaseLocation(
                case_id=pk,
                kind="residence",
                area_path=grid or village or case_area,
                reported_at=reported_at,
                place_id=place_id,
                compound=place_kind == _COMPOUND,
            )
        )
    stops = TrajectoryEntry.objects.filter(case__in=cases).values_list(
        "case_id", "case__reported_at", "place_id", "place__kind", "place__area__path", "area__path"
    )
    for case_id, reported_at, place_id, place_kind, place_area, area in stops:
        path = place_area or area
        if path is None:
            continue  # a stop described in words only: nowhere on the tree
        out.append(
            CaseLocation(
                case_id=case_id,
                kind="trajectory",
                area_path=path,
                reported_at=reported_at,
                place_id=place_id,
                compound=place_kind == _COMPOUND,
            )
        )
    return out
