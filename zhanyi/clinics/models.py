"""Fever clinics and pharmacies (发热门诊、药店).

A clinic (a fever clinic or a fever sentinel post) in an area has rooms; a
visit is one patient's pass through it: pre-triage (预检分诊) at the entrance,
a room of their own (一人一诊一室: one patient to a room, kept by a partial
unique constraint), a test handed to testing, and the end of the visit: home,
referred to the designated hospital or to centralised quarantine (both handed
to the transfer task force). A clinic's staff are tested on a standing
schedule (one ``test`` hand-off each, renewed ahead by the clock).

A pharmacy reports each buyer of fever or cough medicine (药店实名登记); the
buyer is linked to the person index and followed up by a test or a visit of
the village team (a hand-off), whose state is the report's.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanyi.handoffs.models import HandoffStatus


class ClinicKind(models.TextChoices):
    FEVER_CLINIC = "fever_clinic", _("Fever clinic")  # 发热门诊
    SENTINEL = "sentinel", _("Fever sentinel post")  # 发热哨点诊室


class Clinic(models.Model):
    """A fever clinic or sentinel post (发热门诊、发热哨点), in an area."""

    name = models.CharField(pgettext_lazy("clinic", "name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ClinicKind.choices)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="clinics", verbose_name=_("area")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    """A consulting room of a clinic (诊室): one patient at a time."""

    clinic = models.ForeignKey(
        Clinic, models.CASCADE, related_name="rooms", verbose_name=_("clinic")
    )
    name = models.CharField(pgettext_lazy("clinic room", "name"), max_length=50)

    class Meta:
        ordering = ["clinic_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="clinics_room_name_unique")
        ]
        verbose_name = _("consulting room")
        verbose_name_plural = _("consulting rooms")

    def __str__(self) -> str:
        return f"{self.clinic.name} {self.name}"


class CodeColour(models.TextChoices):
    GREEN = "green", _("Green code")
    YELLOW = "yellow", _("Yellow code")
    RED = "red", _("Red code")
    UNKNOWN = "unknown", _("No code shown")


class TriageLevel(models.TextChoices):
    SUSPECTED = "suspected", _("Suspected: epidemiological history or code")  # 疑似
    FEVER = "fever", _("Fever or respiratory symptoms")  # 发热
    OTHER = "other", _("Neither: general outpatient after the test")  # 普通


#: Why a patient has their level (the engine's keys, ``zhanyi.engine.triage``).
TRIAGE_REASONS = {
    "history": _("epidemiological history"),
    "code_red": _("red code"),
    "code_yellow": _("yellow code"),
    "fever": _("fever"),
    "symptoms": _("respiratory symptoms"),
}


class VisitOutcome(models.TextChoices):
    HOME = "home", pgettext_lazy("visit outcome", "Home")  # 离院
    HOSPITAL = "hospital", _("Referred to the designated hospital")  # 转定点医院
    QUARANTINE = "quarantine", _("Referred to centralised quarantine")  # 转集中隔离


class Visit(models.Model):
    """One patient's visit to a clinic: pre-triage, a room, a test, an end."""

    clinic = models.ForeignKey(
        Clinic, models.PROTECT, related_name="visits", verbose_name=_("clinic")
    )
    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="clinic_visits", verbose_name=_("person")
    )
    arrived_at = models.DateTimeField(_("arrived at"))
    temperature = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    symptoms = models.CharField(_("respiratory symptoms"), max_length=200, blank=True)
    epidemiological_history = models.BooleanField(_("epidemiological history"), default=False)
    code_colour = models.CharField(
        _("health code"), max_length=8, choices=CodeColour.choices, default=CodeColour.UNKNOWN
    )
    triage = models.CharField(_("pre-triage"), max_length=16, choices=TriageLevel.choices)
    triage_reasons = models.JSONField(_("reasons"), default=list, blank=True)
    room = models.ForeignKey(
        Room,
        models.PROTECT,
        related_name="visits",
        null=True,
        blank=True,
        verbose_name=_("consulting room"),
    )
    roomed_at = models.DateTimeField(_("in the room since"), null=True, blank=True)
    left_room_at = models.DateTimeField(_("left the room at"), null=True, blank=True)
    test_handoff = models.ForeignKey(
        "handoffs.Handoff",
        models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("test"),
    )
    referral_handoff = models.ForeignKey(
        "handoffs.Handoff",
        models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("referral"),
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=VisitOutcome.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    recorded_by_name = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-arrived_at", "-id"]
        constraints = [
            # 一人一诊一室: a room holds one patient at a time.
            models.UniqueConstraint(
                fields=["room"],
                condition=Q(room__isnull=False, left_room_at__isnull=True),
                name="clinics_one_patient_per_room",
            )
        ]
        indexes = [models.Index(fields=["clinic", "closed_at"])]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"{self.clinic.name} {self.arrived_at:%Y-%m-%d %H:%M}"

    @property
    def in_room(self) -> bool:
        return self.room_id is not None and self.left_room_at is None

    def reasons_display(self) -> str:
        return "、".join(str(TRIAGE_REASONS.get(r, r)) for r in self.triage_reasons)


class StaffRole(models.TextChoices):
    DOCTOR = "doctor", _("Doctor")
    NURSE = "nurse", _("Nurse")
    OTHER = "other", _("Other staff")


class ClinicStaff(models.Model):
    """A person working at a clinic, tested on a standing schedule (定期核酸检测)."""

    clinic = models.ForeignKey(
        Clinic, models.CASCADE, related_name="staff", verbose_name=_("clinic")
    )
    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="clinic_posts", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    test_handoff = models.ForeignKey(
        "handoffs.Handoff",
        models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("test schedule"),
    )

    class Meta:
        ordering = ["clinic_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "person"],
                condition=Q(ended_at__isnull=True),
                name="clinics_staff_once",
            )
        ]
        verbose_name = _("clinic staff member")
        verbose_name_plural = _("clinic staff")

    def __str__(self) -> str:
        return f"{self.clinic.name}: {self.person_id}"


class Pharmacy(models.Model):
    """A pharmacy (药店) that reports buyers of fever or cough medicine."""

    name = models.CharField(pgettext_lazy("pharmacy", "name"), max_length=200, unique=True)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="pharmacies", verbose_name=_("area")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("pharmacy")
        verbose_name_plural = _("pharmacies")

    def __str__(self) -> str:
        return self.name


class Medicine(models.TextChoices):
    FEVER = "fever", _("Fever medicine")  # 退烧药
    COUGH = "cough", _("Cough medicine")  # 止咳药
    ANTIVIRAL = "antiviral", _("Antiviral")  # 抗病毒药
    ANTIBIOTIC = "antibiotic", _("Antibiotic")  # 抗生素


class FollowUp(models.TextChoices):
    TEST = "test", _("A test")  # 核酸检测
    VISIT = "visit", _("A visit from the village team")  # 村居上门


class LinkedBy(models.TextChoices):
    IDENTITY = "identity", _("identity number")
    NAME_PHONE = "name_phone", _("name and phone")
    NEW = "new", _("new in the person index")


class ReportState(models.TextChoices):
    OPEN = "open", _("Open")
    OVERDUE = "overdue", _("Overdue")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class BuyerReport(models.Model):
    """A pharmacy's report of one buyer of fever or cough medicine, followed up
    by a test or a village-team visit (the hand-off, whose state it shows)."""

    pharmacy = models.ForeignKey(
        Pharmacy, models.PROTECT, related_name="reports", verbose_name=_("pharmacy")
    )
    # As the pharmacy wrote them (the person index holds the clean values).
    name = models.CharField(_("name as reported"), max_length=100)
    phone = models.CharField(_("phone as reported"), max_length=32, blank=True)
    identity_number = models.CharField(_("identity number as reported"), max_length=32, blank=True)
    medicine = models.CharField(_("medicine"), max_length=16, choices=Medicine.choices)
    medicine_name = models.CharField(_("medicine bought"), max_length=100, blank=True)
    bought_at = models.DateTimeField(_("bought at"))
    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="pharmacy_reports", verbose_name=_("person")
    )
    linked_by = models.CharField(_("linked by"), max_length=16, choices=LinkedBy.choices)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    # Where the follow-up is done: the buyer's village, else the pharmacy's area.
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    follow_up = models.CharField(_("follow-up"), max_length=8, choices=FollowUp.choices)
    # Set in the transaction that makes the report, once its id names the hand-off.
    handoff = models.ForeignKey(
        "handoffs.Handoff",
        models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("hand-off"),
    )
    reported_at = models.DateTimeField(_("reported at"))
    reported_by_name = models.CharField(_("reported by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-bought_at", "-id"]
        indexes = [models.Index(fields=["pharmacy", "bought_at"])]
        verbose_name = _("buyer report")
        verbose_name_plural = _("buyer reports")

    def __str__(self) -> str:
        return f"{self.pharmacy.name} {self.bought_at:%Y-%m-%d %H:%M}"

    def state(self, now) -> str:
        """The follow-up's state: its hand-off's, overdue when open past its due time."""
        h = self.handoff
        if h is None:
            return ReportState.OPEN
        if h.status == HandoffStatus.OPEN:
            return ReportState.OVERDUE if h.due_at < now else ReportState.OPEN
        return ReportState.DONE if h.status == HandoffStatus.DONE else ReportState.CANCELLED

    def state_label(self, now) -> str:
        return str(ReportState(self.state(now)).label)
