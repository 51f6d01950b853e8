"""The first day's check of the person index (``zhanyi.core.readiness``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.core.readiness import DONE, MISSING, Status, check

from .models import Household, Person


@check(
    "people",
    gettext_lazy("People (population register)"),
    order=30,
    url="people:register",
    command="zhanyi register load FILE --kind hukou",
)
def people() -> Status:
    persons = Person.objects.filter(merged_into=None).count()
    if not persons:
        return Status(MISSING, _("No people: load the population register."))
    return Status(
        DONE,
        _("%(persons)s people in %(households)s households")
        % {"persons": f"{persons:,}", "households": f"{Household.objects.count():,}"},
    )
