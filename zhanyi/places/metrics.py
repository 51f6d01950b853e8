"""Figures about the area tree and places."""

from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import area_filter, figure, tally

from .models import Area, AreaLevel, Place


@figure("places.population", _("Resident population"), _("people"), order=10)
def population(area: Area | None) -> int:
    if area is not None:
        return area.population
    city = Area.objects.filter(level=AreaLevel.CITY).first()
    return city.population if city else 0


@figure("places.villages", _("Villages and communities"), order=40, link="places:area-list")
def villages(area: Area | None) -> int:
    return Area.objects.filter(level=AreaLevel.VILLAGE, **area_filter(area, "path")).count()


@tally("places.places", _("Places"), order=50, area="area")
def places():
    return Place.objects.all()
