"""The first day's checks of the area tree, its boundaries and places
(``zhanyi.core.readiness``)."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.core.readiness import DONE, MISSING, PARTIAL, Status, check

from .models import Area, AreaLevel, Place, PlaceKind


@check(
    "areas",
    gettext_lazy("Areas (division codes)"),
    order=10,
    url="command:setup-load-areas",
    command="zhanyi places import-areas FILE",
)
def areas() -> Status:
    by_level = dict(Area.objects.values_list("level").annotate(n=Count("id")))
    summary = "，".join(
        f"{AreaLevel(level).label} {by_level[level]:,}"
        for level in AreaLevel.values
        if by_level.get(level)
    )
    if not by_level:
        return Status(MISSING, _("No areas: load the statistical division codes."))
    if not by_level.get(AreaLevel.CITY) or not by_level.get(AreaLevel.VILLAGE):
        return Status(PARTIAL, summary, [_("The tree needs the city and its villages.")])
    return Status(DONE, summary)


@check(
    "boundaries",
    gettext_lazy("Boundaries"),
    order=20,
    url="command:setup-load-boundaries",
    command="zhanyi places import-boundaries FILE",
)
def boundaries() -> Status:
    levels = (AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)
    rows = []
    complete = True
    any_loaded = False
    for level in levels:
        qs = Area.objects.filter(level=level)
        total = qs.count()
        drawn = qs.exclude(boundary=None).count()
        any_loaded = any_loaded or drawn > 0
        complete = complete and total > 0 and drawn == total
        if total:
            rows.append(f"{AreaLevel(level).label} {drawn:,}/{total:,}")
    summary = "，".join(rows) or _("No areas yet.")
    if complete:
        return Status(DONE, summary)
    return Status(PARTIAL if any_loaded else MISSING, summary)


@check(
    "places",
    gettext_lazy("Places"),
    order=40,
    url="command:setup-load-places",
    command="zhanyi places import-places FILE",
)
def places() -> Status:
    by_kind = dict(Place.objects.values_list("kind").annotate(n=Count("id")))
    if not by_kind:
        return Status(MISSING, _("No places: load the schools, hospitals, markets and compounds."))
    summary = "，".join(
        f"{PlaceKind(kind).label} {by_kind[kind]:,}" for kind in PlaceKind.values if kind in by_kind
    )
    return Status(DONE, summary)
