"""Figures of vaccination (数出一门): doses given, first doses, full courses, coverage,
all read from the coverage tallies (``queries.dose_counts``, ``queries.coverage``)."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from zhanyi.core import figure_cache
from zhanyi.core.metrics import figure, for_areas, tally_in
from zhanyi.places.models import Area
from zhanyi.vaccination import queries
from zhanyi.vaccination.models import DoseTally


def _dose_counts(area: Area | None) -> dict[str, int]:
    """``queries.dose_counts``, read once per pass of figures (three figures read it)."""
    key = ("vaccination.dose_counts", area.pk if area is not None else None)
    return figure_cache.shared(key, lambda: queries.dose_counts(area))


def _coverage(area: Area | None) -> queries.Coverage:
    """``queries.coverage``, read once per pass of figures (two figures read it)."""
    key = ("vaccination.coverage", area.pk if area is not None else None)
    return figure_cache.shared(key, lambda: queries.coverage(area))


@figure(
    "vaccination.doses", _("Vaccine doses given"), _("doses"), order=90, link="vaccination:home"
)
def doses(area: Area | None) -> int:
    return _dose_counts(area)["doses"]


# The dose counts' forms for many areas: the sums of ``queries.dose_counts``
# over the tally, by village, in one query each.
@for_areas("vaccination.doses")
def doses_in(areas) -> list[int]:
    return tally_in(DoseTally.objects.all(), "village", areas, Sum("doses"))


@figure("vaccination.first_dose", _("People with a first dose"), _("people"), order=91)
def first_dose(area: Area | None) -> int:
    return _dose_counts(area)["first_dose"]


@for_areas("vaccination.first_dose")
def first_dose_in(areas) -> list[int]:
    return tally_in(DoseTally.objects.filter(dose_number=1), "village", areas, Sum("doses"))


@figure("vaccination.fully_vaccinated", _("People fully vaccinated"), _("people"), order=92)
def fully_vaccinated(area: Area | None) -> int:
    return _dose_counts(area)["full_course"]


@for_areas("vaccination.fully_vaccinated")
def fully_vaccinated_in(areas) -> list[int]:
    return tally_in(DoseTally.objects.all(), "village", areas, Sum("completed"))


@figure(
    "vaccination.first_dose_coverage",
    _("First-dose coverage of the vaccinated ages"),
    "%",
    order=93,
)
def first_dose_coverage(area: Area | None) -> float:
    return _coverage(area).total.first_pct


@figure(
    "vaccination.full_course_coverage",
    _("Full-course coverage of the vaccinated ages"),
    "%",
    order=94,
)
def full_course_coverage(area: Area | None) -> float:
    return _coverage(area).total.full_pct
