"""Figures of vaccination (数出一门): doses given, first doses, full courses, coverage,
all read from the coverage tallies (``queries.dose_counts``, ``queries.coverage``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhanyi.core.metrics import figure
from zhanyi.places.models import Area
from zhanyi.vaccination import queries


@figure(
    "vaccination.doses", _("Vaccine doses given"), _("doses"), order=90, link="vaccination:home"
)
def doses(area: Area | None) -> int:
    return queries.dose_counts(area)["doses"]


@figure("vaccination.first_dose", _("People with a first dose"), _("people"), order=91)
def first_dose(area: Area | None) -> int:
    return queries.dose_counts(area)["first_dose"]


@figure("vaccination.fully_vaccinated", _("People fully vaccinated"), _("people"), order=92)
def fully_vaccinated(area: Area | None) -> int:
    return queries.dose_counts(area)["full_course"]


@figure(
    "vaccination.first_dose_coverage",
    _("First-dose coverage of the vaccinated ages"),
    "%",
    order=93,
)
def first_dose_coverage(area: Area | None) -> float:
    return queries.coverage(area).total.first_pct


@figure(
    "vaccination.full_course_coverage",
    _("Full-course coverage of the vaccinated ages"),
    "%",
    order=94,
)
def full_course_coverage(area: Area | None) -> float:
    return queries.coverage(area).total.full_pct
