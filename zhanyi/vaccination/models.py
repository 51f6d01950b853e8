"""Vaccination (疫苗接种): vaccines, sites, appointments, the doses given.

A dose (剂次) is one injection of one person: the vaccine, its number in the
person's course, the batch, the site and the time. A person's dose number is
recorded once (``vaccination_one_dose_per_number``). Courses and targets are
the protocol's (``[vaccination]``); the vaccines' codes name them there.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Vaccine(models.Model):
    """A vaccine product (疫苗), named as the immunisation system's exports name it."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(pgettext_lazy("vaccine", "name"), max_length=100)
    maker = models.CharField(_("maker"), max_length=100, blank=True)
    # Other names the exports use (生产企业, 疫苗名称 variants), matched ignoring case and spaces.
    aliases = models.JSONField(_("other names"), default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("vaccine")
        verbose_name_plural = _("vaccines")

    def __str__(self) -> str:
        return self.name


class SiteKind(models.TextChoices):
    FIXED = "fixed", _("Fixed vaccination clinic")  # 常规接种门诊
    TEMPORARY = "temporary", _("Temporary site")  # 临时接种点
    MOBILE = "mobile", _("Mobile vaccination")  # 流动接种
    DOOR_TO_DOOR = "door_to_door", _("Door to door")  # 上门接种


class Site(models.Model):
    """A vaccination site (接种点) run by its area."""

    name = models.CharField(pgettext_lazy("vaccination site", "name"), max_length=200)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="vaccination_sites", verbose_name=_("area")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SiteKind.choices)
    address = models.CharField(_("address"), max_length=255, blank=True)
    active = models.BooleanField(pgettext_lazy("vaccination site", "open"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["name"], name="vaccination_site_name")]
        verbose_name = _("vaccination site")
        verbose_name_plural = _("vaccination sites")

    def __str__(self) -> str:
        return self.name


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    ATTENDED = "attended", _("Attended")
    CANCELLED = "cancelled", pgettext_lazy("appointment", "Cancelled")


class Appointment(models.Model):
    """An appointment (预约) at a site: one person's (个人预约), or a work unit's
    for a number of its people (团队预约)."""

    site = models.ForeignKey(
        Site,
        models.PROTECT,
        related_name="appointments",
        verbose_name=pgettext_lazy("vaccination", "site"),
    )
    person = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="vaccination_appointments",
        verbose_name=_("person"),
    )
    work_unit = models.CharField(_("work unit"), max_length=200, blank=True)
    headcount = models.PositiveIntegerField(_("number of people"), default=1)
    dose_number = models.PositiveSmallIntegerField(_("dose"), default=1)
    slot_at = models.DateTimeField(_("time"))
    state = models.CharField(
        _("state"), max_length=16, choices=AppointmentState.choices, default=AppointmentState.BOOKED
    )
    booked_by_name = models.CharField(_("booked by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["slot_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(work_unit=""))
                | (Q(person__isnull=True) & ~Q(work_unit="")),
                name="vaccination_appointment_person_or_unit",
            ),
            models.UniqueConstraint(
                fields=["person", "dose_number"],
                condition=Q(state="booked"),
                name="vaccination_one_booking_per_dose",
            ),
        ]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")

    def __str__(self) -> str:
        return f"{self.site} {self.slot_at:%Y-%m-%d %H:%M}"


class DoseSource(models.TextChoices):
    SITE = "site", _("Recorded at the site")
    IMPORT = "import", _("Imported from the immunisation system")


class DoseImport(models.Model):
    """One file of the immunisation system's export (免疫规划信息系统), imported."""

    filename = models.CharField(_("file"), max_length=255)
    file_hash = models.CharField(max_length=64)
    # The importer's jurisdiction: who sees the import.
    area = models.ForeignKey(
        "places.Area",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("area"),
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    stored = models.PositiveIntegerField(_("doses stored"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    unknown_persons = models.PositiveIntegerField(_("people not in the index"), default=0)
    created_persons = models.PositiveIntegerField(_("people added to the index"), default=0)
    refused = models.PositiveIntegerField(_("rows refused"), default=0)
    # The first problems, each {"line", "column", "reason"}.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    seconds = models.FloatField(_("seconds"), default=0)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    received_by_name = models.CharField(
        pgettext_lazy("dose import", "received by"), max_length=150, blank=True
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("dose import")
        verbose_name_plural = _("dose imports")

    def __str__(self) -> str:
        return self.filename


class Dose(models.Model):
    """A dose given (接种记录): person, vaccine, dose number, batch, site, time.

    Millions of rows arrive by COPY from the immunisation system's exports, so
    the keys carry no database constraint (as ``handoffs.Handoff`` does): the
    import and the site's action resolve every id from rows they just read.
    The person's village and birth date are kept as they were at the dose, so
    coverage by area and age band is one scan of this table."""

    person = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        related_name="doses",
        verbose_name=_("person"),
        db_constraint=False,
        db_index=False,  # the unique constraint's index starts with it
    )
    vaccine = models.ForeignKey(
        Vaccine,
        models.PROTECT,
        related_name="+",
        verbose_name=_("vaccine"),
        db_constraint=False,
        db_index=False,
    )
    dose_number = models.PositiveSmallIntegerField(_("dose"))
    batch = models.CharField(pgettext_lazy("vaccine", "batch"), max_length=32, blank=True)
    site = models.ForeignKey(
        Site,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("vaccination", "site"),
        db_constraint=False,
        db_index=False,
    )
    # The site as the export names it, when no site of ours has that name.
    site_name = models.CharField(_("site as exported"), max_length=200, blank=True)
    given_at = models.DateTimeField(_("given at"))
    village = models.ForeignKey(
        "places.Area",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
        db_constraint=False,
        db_index=False,
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    # This dose completes the vaccine's course (全程).
    completes_course = models.BooleanField(_("completes the course"), default=False)
    source = models.CharField(_("source"), max_length=16, choices=DoseSource.choices)
    dose_import = models.ForeignKey(
        DoseImport,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("import"),
        db_constraint=False,
        db_index=False,
    )
    recorded_by_name = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "dose_number"], name="vaccination_one_dose_per_number"
            )
        ]
        verbose_name = _("dose")
        verbose_name_plural = _("doses")

    def __str__(self) -> str:
        return f"{self.person_id} · {self.dose_number}"


# -- coverage tallies ---------------------------------------------------------------------
#
# Coverage reads these small tables, never the millions of dose rows: the doses
# are tallied by village, age band and dose number as they are written (the
# import and the site's recording add to the tally in their own transaction),
# and the people of each village and age band are counted once a day. Age
# bands are counted on ``CoverageDay.day``; the daily recount moves everyone
# to the bands of the new day.


class CoverageDay(models.Model):
    """The day the tallies count ages on, and when the people were counted (one row).

    Every writer of the tallies locks this row, after writing its doses:
    the daily recount and the writers take their turns."""

    day = models.DateField(_("ages counted on"))
    people_counted_at = models.DateTimeField(_("people counted at"))

    class Meta:
        verbose_name = _("coverage day")
        verbose_name_plural = _("coverage days")

    def __str__(self) -> str:
        return f"{self.day}"


class DoseTally(models.Model):
    """Doses given to the people of a village and age band, by dose number (接种剂次汇总).

    ``age_band``: the band's index, or ``rules.TOO_YOUNG`` (-1),
    ``rules.UNKNOWN_AGE`` (-2). ``village`` null: people with no village."""

    village = models.ForeignKey(
        "places.Area",
        models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
        db_constraint=False,
        db_index=False,
    )
    age_band = models.SmallIntegerField(_("age band"))
    dose_number = models.PositiveSmallIntegerField(_("dose"))
    doses = models.PositiveIntegerField(_("doses"), default=0)
    # Of them, doses that complete the vaccine's course (全程).
    completed = models.PositiveIntegerField(_("courses completed"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village", "age_band", "dose_number"],
                name="vaccination_dose_tally_cell",
            ),
            models.UniqueConstraint(
                fields=["age_band", "dose_number"],
                condition=Q(village=None),
                name="vaccination_dose_tally_cell_no_village",
            ),
        ]
        verbose_name = _("dose tally")
        verbose_name_plural = _("dose tallies")

    def __str__(self) -> str:
        return f"{self.village_id} · {self.age_band} · {self.dose_number}: {self.doses}"


class PopulationTally(models.Model):
    """Live people of the person index in a village and age band (人口数), the
    denominators of coverage, counted on ``CoverageDay.day``."""

    village = models.ForeignKey(
        "places.Area",
        models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
        db_constraint=False,
        db_index=False,
    )
    age_band = models.SmallIntegerField(_("age band"))
    people = models.PositiveIntegerField(_("people"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village", "age_band"], name="vaccination_population_tally_cell"
            ),
            models.UniqueConstraint(
                fields=["age_band"],
                condition=Q(village=None),
                name="vaccination_population_tally_cell_no_village",
            ),
        ]
        verbose_name = _("population tally")
        verbose_name_plural = _("population tallies")

    def __str__(self) -> str:
        return f"{self.village_id} · {self.age_band}: {self.people}"
