"""Reads of the vaccination app, each with its access check, and coverage
(接种率) by area, age band and dose against the protocol's targets, read from
the coverage tallies (``actions.tallies``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Sum
from django.http import Http404

from zhanyi.accounts.roles import has_capability
from zhanyi.core import jurisdiction
from zhanyi.core.metrics import area_filter
from zhanyi.people.models import Person
from zhanyi.places.models import Area
from zhanyi.vaccination.models import (
    Appointment,
    CoverageDay,
    Dose,
    DoseImport,
    DoseTally,
    PopulationTally,
    Site,
)
from zhanyi.vaccination.rules import TOO_YOUNG, AgeBand, age_bands, rules


def require_view(user) -> None:
    if not has_capability(user, "view_person") or jurisdiction.root_path(user) is None:
        raise PermissionDenied("requires view_person and a jurisdiction")


def sites_for(user) -> QuerySet[Site]:
    require_view(user)
    return jurisdiction.scope(Site.objects.select_related("area"), user, "area__path")


def get_site_for_user(user, site_id: int) -> Site:
    try:
        return sites_for(user).get(pk=site_id)
    except Site.DoesNotExist:
        raise Http404("no such site") from None


def appointments_for(user) -> QuerySet[Appointment]:
    require_view(user)
    qs = Appointment.objects.select_related("site__area", "person")
    return jurisdiction.scope(qs, user, "site__area__path")


def get_appointment_for_user(user, appointment_id: int) -> Appointment:
    try:
        return appointments_for(user).get(pk=appointment_id)
    except Appointment.DoesNotExist:
        raise Http404("no such appointment") from None


def imports_for(user) -> QuerySet[DoseImport]:
    """Imports made within the user's jurisdiction (a city-wide import: the city's)."""
    require_view(user)
    path = jurisdiction.root_path(user)
    qs = DoseImport.objects.select_related("area")
    if path:
        qs = qs.filter(area__path__startswith=path)
    return qs


def get_import_for_user(user, import_id: int) -> DoseImport:
    try:
        return imports_for(user).get(pk=import_id)
    except DoseImport.DoesNotExist:
        raise Http404("no such import") from None


def doses_of(user, person: Person) -> list[Dose]:
    """A person's doses, for a user who may see the person (the caller audits the read)."""
    require_view(user)
    if not jurisdiction.can_see_area(user, person.village):
        raise Http404("no such person")
    return list(
        Dose.objects.filter(person=person).select_related("vaccine", "site").order_by("dose_number")
    )


# -- coverage ----------------------------------------------------------------------------


@dataclass
class Count3:
    """People of the vaccinated ages, people with a first dose, fully vaccinated, doses."""

    people: int = 0
    first_dose: int = 0
    full_course: int = 0
    doses: int = 0

    def add(self, other: Count3) -> None:
        self.people += other.people
        self.first_dose += other.first_dose
        self.full_course += other.full_course
        self.doses += other.doses

    @property
    def first_pct(self) -> float:
        return round(100 * self.first_dose / self.people, 1) if self.people else 0.0

    @property
    def full_pct(self) -> float:
        return round(100 * self.full_course / self.people, 1) if self.people else 0.0


@dataclass
class Coverage:
    """Coverage of ``area``: per child area, per age band, in all, with ages
    on ``day`` and the people as counted at ``people_counted_at`` (``None``:
    not counted yet)."""

    area: Area | None
    day: dt.date | None
    people_counted_at: dt.datetime | None
    bands: list[AgeBand]
    first_target: int
    full_target: int
    total: Count3 = field(default_factory=Count3)
    by_area: list[tuple[Area, Count3]] = field(default_factory=list)
    by_band: list[tuple[AgeBand, Count3]] = field(default_factory=list)
    #: Doses by dose number (1, 2, 3, …), all ages.
    by_dose: list[tuple[int, int]] = field(default_factory=list)

    def shortfall(self, counts: Count3) -> tuple[int, int]:
        """People still to vaccinate to meet the targets: first dose, full course."""
        first = -(-counts.people * self.first_target // 100) - counts.first_dose
        full = -(-counts.people * self.full_target // 100) - counts.full_course
        return max(first, 0), max(full, 0)


def _children(area: Area | None) -> list[Area]:
    if area is None:  # everything: the city's counties (the roots' children, if one root)
        roots = list(Area.objects.filter(parent=None))
        if len(roots) != 1:
            return roots
        area = roots[0]
    return list(Area.objects.filter(parent=area).order_by("code"))


def _tallied(area: Area | None, model):
    """``model``'s tally cells of ``area`` (the whole city: also people with no village)."""
    if area is None or area.parent_id is None:
        return model.objects.all()
    return model.objects.filter(**area_filter(area, "village__path"))


def dose_counts(area: Area | None) -> dict[str, int]:
    """Doses given to the people of ``area``, first doses, doses completing a
    course: sums of the dose tally (``None``: the whole city)."""
    cells = DoseTally.objects.filter(**area_filter(area, "village__path"))
    total = cells.aggregate(doses=Sum("doses"), completed=Sum("completed"))
    first = cells.filter(dose_number=1).aggregate(n=Sum("doses"))["n"]
    return {
        "doses": total["doses"] or 0,
        "first_dose": first or 0,
        "full_course": total["completed"] or 0,
    }


def coverage(area: Area | None) -> Coverage:
    """Coverage by child area and age band from the tallies, rolled up from
    villages to ``area``'s children. People count from the protocol's first
    age band; a dose counts where the person lived when it was given. People
    of unknown age count in the totals, in no band."""
    rule = rules()
    counted = CoverageDay.objects.filter(pk=1).first()
    result = Coverage(
        area,
        counted.day if counted else None,
        counted.people_counted_at if counted else None,
        age_bands(rule),
        rule.first_dose_target_pct,
        rule.full_course_target_pct,
    )
    cells: dict[tuple[int | None, int], Count3] = defaultdict(Count3)
    by_number: dict[int, int] = defaultdict(int)
    dose_rows = _tallied(area, DoseTally).values_list(
        "village_id", "age_band", "dose_number", "doses", "completed"
    )
    for village_id, band, number, doses, completed in dose_rows:
        c = cells[(village_id, band)]
        c.doses += doses
        c.full_course += completed
        if number == 1:
            c.first_dose += doses
        by_number[number] += doses
    people_rows = _tallied(area, PopulationTally).values_list("village_id", "age_band", "people")
    for village_id, band, people in people_rows:
        cells[(village_id, band)].people = people
    result.by_dose = sorted(by_number.items())
    _roll_up(result, cells)
    return result


def _roll_up(result: Coverage, cells: dict[tuple[int | None, int], Count3]) -> None:
    children = _children(result.area)
    paths = dict(Area.objects.filter(id__in={v for v, _b in cells if v}).values_list("id", "path"))
    child_of: dict[int | None, Area | None] = {}
    for village_id, path in paths.items():
        child_of[village_id] = next((c for c in children if path.startswith(c.path)), None)
    per_child: dict[int, Count3] = defaultdict(Count3)
    per_band: dict[int, Count3] = defaultdict(Count3)
    for (village_id, band), c in cells.items():
        if band == TOO_YOUNG:  # not of the vaccinated ages: only their doses count
            c = Count3(doses=c.doses)
        result.total.add(c)
        if band >= 0:
            per_band[band].add(c)
        child = child_of.get(village_id)
        if child is not None:
            per_child[child.pk].add(c)
    result.by_area = [(child, per_child[child.pk]) for child in children]
    result.by_band = [(b, per_band[b.index]) for b in result.bands]
