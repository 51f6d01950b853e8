"""The hospital care tables (定点医院救治): designated hospitals and their wards,
a case's admission with its condition over time, the clinical facts the
discharge criteria read (temperatures, assessments of symptoms and lung
imaging, nucleic-acid tests), transfers between hospitals, and the health
monitoring after discharge with its daily check-ins and alerts.

An admission names the person and the case's area (the jurisdiction that sees
it); the case itself is tracing's, reached only through hand-offs
(``zhanyi.handoffs.receivers``), so ``case_id`` is a number, not a key."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Hospital(models.Model):
    """A hospital that takes cases; a designated one (定点医院) is where cases are admitted."""

    name = models.CharField(pgettext_lazy("of a thing", "name"), max_length=200, unique=True)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="hospitals", verbose_name=_("area")
    )
    designated = models.BooleanField(_("designated hospital"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("hospital")
        verbose_name_plural = _("hospitals")

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    """A ward (病区) of a hospital with its beds."""

    hospital = models.ForeignKey(
        Hospital, models.CASCADE, related_name="wards", verbose_name=_("hospital")
    )
    name = models.CharField(pgettext_lazy("of a thing", "name"), max_length=100)
    beds = models.PositiveIntegerField(_("beds"))

    class Meta:
        ordering = ["hospital__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "name"], name="care_one_ward_name")
        ]
        verbose_name = _("ward")
        verbose_name_plural = _("wards")

    def __str__(self) -> str:
        return f"{self.hospital.name} {self.name}"


class Condition(models.TextChoices):
    """The clinical types of the Diagnosis and Treatment Plan (临床分型)."""

    MILD = "mild", _("Mild")  # 轻型
    MODERATE = "moderate", _("Moderate")  # 普通型
    SEVERE = "severe", _("Severe")  # 重型
    CRITICAL = "critical", _("Critical")  # 危重型


class Admission(models.Model):
    """A case's stay at the designated hospital, from admission (入院) through
    transfers to discharge (出院) and the monitoring after it."""

    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="admissions", verbose_name=_("person")
    )
    # The case's area (its village): the jurisdiction that sees the admission.
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="admissions", verbose_name=_("area")
    )
    # tracing's case number, as its receiver answered (no key across task forces).
    case_id = models.PositiveIntegerField(_("case number"))
    hospital = models.ForeignKey(
        Hospital, models.PROTECT, related_name="admissions", verbose_name=_("hospital")
    )
    ward = models.ForeignKey(
        Ward, models.PROTECT, related_name="admissions", verbose_name=_("ward")
    )
    condition = models.CharField(_("condition"), max_length=16, choices=Condition.choices)
    admitted_at = models.DateTimeField(_("admitted at"))
    admitted_by_name = models.CharField(_("admitted by"), max_length=150, blank=True)
    protocol = models.CharField(_("protocol"), max_length=64)
    discharged_at = models.DateTimeField(_("discharged at"), null=True, blank=True)
    discharged_by_name = models.CharField(_("discharged by"), max_length=150, blank=True)
    # End of the health monitoring after discharge (the protocol's monitoring_days).
    monitoring_until = models.DateTimeField(_("monitored until"), null=True, blank=True)

    class Meta:
        ordering = ["-admitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(discharged_at=None),
                name="care_one_stay_per_person",
            )
        ]
        indexes = [models.Index(fields=["discharged_at", "condition"])]
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")

    def __str__(self) -> str:
        return f"#{self.pk} {self.hospital_id} {self.admitted_at:%Y-%m-%d}"

    @property
    def in_hospital(self) -> bool:
        return self.discharged_at is None


class ConditionRecord(models.Model):
    """The condition as a doctor recorded it, when and by whom (病情变化)."""

    admission = models.ForeignKey(Admission, models.CASCADE, related_name="conditions")
    condition = models.CharField(_("condition"), max_length=16, choices=Condition.choices)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by_name = models.CharField(_("recorded by"), max_length=150, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("condition record")
        verbose_name_plural = _("condition records")

    def __str__(self) -> str:
        return f"{self.admission_id} {self.condition} {self.recorded_at:%Y-%m-%d %H:%M}"


class Progress(models.TextChoices):
    """How symptoms or lung imaging compare with before."""

    WORSE = "worse", _("Worse")
    UNCHANGED = "unchanged", _("Unchanged")
    IMPROVED = "improved", _("Clearly improved")
    NONE = "none", _("None present")


class Observation(models.Model):
    """What a ward round recorded: a temperature, the respiratory symptoms, the lung
    imaging; any of them (体温、呼吸道症状、肺部影像)."""

    admission = models.ForeignKey(Admission, models.CASCADE, related_name="observations")
    observed_at = models.DateTimeField(_("observed at"))
    temperature = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    respiratory = models.CharField(
        _("respiratory symptoms"), max_length=16, choices=Progress.choices, blank=True
    )
    imaging = models.CharField(
        _("lung imaging"), max_length=16, choices=Progress.choices, blank=True
    )
    recorded_by_name = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        ordering = ["observed_at", "id"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")

    def __str__(self) -> str:
        return f"{self.admission_id} {self.observed_at:%Y-%m-%d %H:%M}"


class SampleKind(models.TextChoices):
    NASOPHARYNGEAL = "nasopharyngeal", _("Nasopharyngeal swab")  # 鼻咽拭子
    OROPHARYNGEAL = "oropharyngeal", _("Oropharyngeal swab")  # 口咽拭子
    SPUTUM = "sputum", _("Sputum")  # 痰
    STOOL = "stool", _("Stool")  # 粪便 (not a respiratory sample)


RESPIRATORY_SAMPLES = (SampleKind.NASOPHARYNGEAL, SampleKind.OROPHARYNGEAL, SampleKind.SPUTUM)


class TestOutcome(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")


class NucleicTest(models.Model):
    """A nucleic-acid test of the case (核酸检测), in hospital or in the follow-up
    after discharge, with its Ct values when the laboratory gives them."""

    __test__ = False  # not a pytest class

    admission = models.ForeignKey(Admission, models.CASCADE, related_name="tests")
    sampled_at = models.DateTimeField(_("sampled at"))
    sample = models.CharField(_("sample"), max_length=16, choices=SampleKind.choices)
    result = models.CharField(
        pgettext_lazy("test", "result"), max_length=8, choices=TestOutcome.choices
    )
    ct_orf1ab = models.DecimalField(
        _("Ct ORF1ab"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    ct_n = models.DecimalField(_("Ct N"), max_digits=4, decimal_places=1, null=True, blank=True)
    recorded_by_name = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        ordering = ["sampled_at", "id"]
        verbose_name = _("nucleic-acid test")
        verbose_name_plural = _("nucleic-acid tests")

    def __str__(self) -> str:
        return f"{self.admission_id} {self.result} {self.sampled_at:%Y-%m-%d %H:%M}"


class Transfer(models.Model):
    """A move of the case from one hospital (or ward) to another (转院)."""

    admission = models.ForeignKey(Admission, models.CASCADE, related_name="transfers")
    from_ward = models.ForeignKey(
        Ward, models.PROTECT, related_name="+", verbose_name=pgettext_lazy("transfer", "from")
    )
    to_ward = models.ForeignKey(
        Ward, models.PROTECT, related_name="+", verbose_name=pgettext_lazy("transfer", "to")
    )
    transferred_at = models.DateTimeField(pgettext_lazy("hospital", "transferred at"))
    reason = models.CharField(_("reason"), max_length=255)
    transferred_by_name = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        ordering = ["transferred_at", "id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self) -> str:
        return f"{self.admission_id} {self.from_ward_id}→{self.to_ward_id}"


class CheckIn(models.Model):
    """A day's health check of a discharged case under monitoring (出院后健康监测)."""

    admission = models.ForeignKey(Admission, models.CASCADE, related_name="check_ins")
    day = models.PositiveSmallIntegerField(pgettext_lazy("monitoring", "day"))
    checked_at = models.DateTimeField(_("checked at"))
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    symptoms = models.BooleanField(_("symptoms"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by_name = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["admission", "day"], name="care_one_check_in_a_day")
        ]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self) -> str:
        return f"{self.admission_id} day {self.day}"


class AlertKind(models.TextChoices):
    REPOSITIVE = "repositive", _("Positive again after discharge")  # 复阳
    FEVER = "fever", _("Fever or symptoms during monitoring")


class Alert(models.Model):
    """Something in the monitoring after discharge that needs a doctor, open until closed."""

    admission = models.ForeignKey(Admission, models.CASCADE, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=16, choices=AlertKind.choices)
    raised_at = models.DateTimeField(_("raised at"))
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by_name = models.CharField(_("closed by"), max_length=150, blank=True)
    outcome = models.CharField(_("outcome"), max_length=255, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("care alert")
        verbose_name_plural = _("care alerts")

    def __str__(self) -> str:
        return f"{self.admission_id} {self.kind}"
