"""Figures about the person index."""

from django.utils.translation import gettext_lazy as _

from zhanyi.core import figure_cache
from zhanyi.core.metrics import area_filter, figure
from zhanyi.places.models import Area

from .models import Household, Person


@figure("people.persons", _("People in the index"), _("people"), order=20, link="people:search")
def persons(area: Area | None) -> int:
    # Counted once per pass of figures (the report, a dashboard's refresh):
    # the green codes are the persons less the red and the yellow, and the
    # count is the slowest of the report's figures (6 s for the city of
    # 200,000 at a load of 10).
    return figure_cache.shared(
        ("people.persons", area.pk if area is not None else None),
        lambda: Person.objects.filter(
            merged_into=None, **area_filter(area, "village__path")
        ).count(),
    )


@figure("people.households", _("Households"), order=30)
def households(area: Area | None) -> int:
    return Household.objects.filter(**area_filter(area, "village__path")).count()


def _coloured(area: Area | None, colour: str) -> int:
    from .models import HealthCode

    return HealthCode.objects.filter(
        colour=colour, person__merged_into=None, **area_filter(area, "person__village__path")
    ).count()


@figure(
    "people.codes_red", _("Red health codes"), _("people"), order=40, link="people:codes?colour=red"
)
def codes_red(area: Area | None) -> int:
    """Persons whose health code (健康码) is red now."""
    return _coloured(area, "red")


@figure(
    "people.codes_yellow",
    _("Yellow health codes"),
    _("people"),
    order=41,
    link="people:codes?colour=yellow",
)
def codes_yellow(area: Area | None) -> int:
    return _coloured(area, "yellow")


@figure(
    "people.codes_green",
    _("Green health codes"),
    _("people"),
    order=42,
    link="people:codes?colour=green",
)
def codes_green(area: Area | None) -> int:
    """Everyone else in the index: a person without a code row has only ever been green."""
    return persons(area) - codes_red(area) - codes_yellow(area)
