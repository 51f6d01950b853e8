"""Figures about the person index."""

from django.utils.translation import gettext_lazy as _

from zhanyi.core import figure_cache
from zhanyi.core.metrics import area_filter, figure, for_areas, tally_in
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
        lambda: _persons().filter(**area_filter(area, "village__path")).count(),
    )


def _persons():
    return Person.objects.filter(merged_into=None)


@for_areas("people.persons")
def persons_in(areas) -> list[int]:
    # Once per pass too: the green codes' count reads it again.
    return figure_cache.shared(
        ("people.persons_in", tuple(a.pk if a is not None else None for a in areas)),
        lambda: tally_in(_persons(), "village", areas),
    )


@figure("people.households", _("Households"), order=30)
def households(area: Area | None) -> int:
    return Household.objects.filter(**area_filter(area, "village__path")).count()


@for_areas("people.households")
def households_in(areas) -> list[int]:
    return tally_in(Household.objects.all(), "village", areas)


def _codes(colour: str):
    from .models import HealthCode

    return HealthCode.objects.filter(colour=colour, person__merged_into=None)


def _coloured(area: Area | None, colour: str) -> int:
    return _codes(colour).filter(**area_filter(area, "person__village__path")).count()


def _coloured_in(areas, colour: str) -> list[int]:
    return figure_cache.shared(
        ("people.codes_in", colour, tuple(a.pk if a is not None else None for a in areas)),
        lambda: tally_in(_codes(colour), "person__village", areas),
    )


@figure(
    "people.codes_red", _("Red health codes"), _("people"), order=40, link="people:codes?colour=red"
)
def codes_red(area: Area | None) -> int:
    """Persons whose health code (健康码) is red now."""
    return _coloured(area, "red")


@for_areas("people.codes_red")
def codes_red_in(areas) -> list[int]:
    return _coloured_in(areas, "red")


@figure(
    "people.codes_yellow",
    _("Yellow health codes"),
    _("people"),
    order=41,
    link="people:codes?colour=yellow",
)
def codes_yellow(area: Area | None) -> int:
    return _coloured(area, "yellow")


@for_areas("people.codes_yellow")
def codes_yellow_in(areas) -> list[int]:
    return _coloured_in(areas, "yellow")


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


@for_areas("people.codes_green")
def codes_green_in(areas) -> list[int]:
    return [
        everyone - red - yellow
        for everyone, red, yellow in zip(
            persons_in(areas), codes_red_in(areas), codes_yellow_in(areas), strict=True
        )
    ]
