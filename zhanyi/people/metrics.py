"""Figures about the person index."""

from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import area_filter, figure
from zhanyi.places.models import Area

from .models import Household, Person


@figure("people.persons", _("People in the index"), _("people"), order=20)
def persons(area: Area | None) -> int:
    return Person.objects.filter(merged_into=None, **area_filter(area, "village__path")).count()


@figure("people.households", _("Households"), order=30)
def households(area: Area | None) -> int:
    return Household.objects.filter(**area_filter(area, "village__path")).count()
