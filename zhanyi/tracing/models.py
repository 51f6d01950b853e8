"""Cases and their investigation (流调): trajectories, interviews, exposures, contacts.

A case (病例) is a person with a positive single-tube result, confirmed or
asymptomatic. Its investigation records where the case went (trajectory), who
was interviewed, and exposures: edges between two persons of the person index
with a setting, a time and a certainty. Close contacts (密接) and secondary
contacts (次密接) are *derived* from the exposures by the contact engine
(``zhanyi.engine.contacts``) under the case's protocol, and stored as
``Contact`` rows so that hand-offs and health codes can name them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseClassification(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed case")  # 确诊病例
    ASYMPTOMATIC = "asymptomatic", _("Asymptomatic infection")  # 无症状感染者
    SUSPECTED = "suspected", _("Suspected case")  # 疑似病例


class CaseStatus(models.TextChoices):
    INVESTIGATING = "investigating", _("Under investigation")
    INVESTIGATED = "investigated", _("Investigation done")
    DISCHARGED = "discharged", _("Discharged")


class LiveCaseManager(models.Manager["Case"]):
    """Cases that count: a voided case (filed twice, or in error) is in no list,
    count or code; ``Case.all_objects`` still reads it."""

    def get_queryset(self) -> models.QuerySet[Case]:
        return super().get_queryset().filter(voided_at=None)


class Case(models.Model):
    """A case (病例): a confirmed case or an asymptomatic infection.

    A person has at most one live case (a second positive result is the same
    case); a case filed in error is voided (``voided_at``, with the reason),
    never deleted, and then counts nowhere.

    ``reported_at`` is when the positive result was reported by the
    laboratory; the case must be reported upward within the protocol's
    report deadline (逢阳必报、逢阳即报, 2 h) and investigated within its
    investigation deadline (24 h). Both deadlines are stored when the case is
    created, from the protocol named in ``protocol``.
    """

    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="cases", verbose_name=_("person")
    )
    # The responsible village: the jurisdiction that sees the case.
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="cases", verbose_name=_("area")
    )
    classification = models.CharField(
        _("classification"), max_length=16, choices=CaseClassification.choices
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.INVESTIGATING
    )
    onset_date = models.DateField(_("symptom onset"), null=True, blank=True)
    sampled_at = models.DateTimeField(_("sampled at"))
    reported_at = models.DateTimeField(_("result reported at"))
    # When the case was reported upward (filed here).
    filed_at = models.DateTimeField(_("case reported at"), default=timezone.now)
    isolated_at = models.DateTimeField(_("isolated at"), null=True, blank=True)
    hospital = models.CharField(_("hospital"), max_length=200, blank=True)
    transferred_at = models.DateTimeField(_("transferred at"), null=True, blank=True)
    discharged_at = models.DateTimeField(_("discharged at"), null=True, blank=True)
    protocol = models.CharField(_("protocol"), max_length=64)
    report_due_at = models.DateTimeField(_("report due at"))
    investigation_due_at = models.DateTimeField(_("investigation due at"))
    investigated_at = models.DateTimeField(_("investigation done at"), null=True, blank=True)
    # Where the case came from ("testing.tube:ZZ0001", "manual:…"); one case per source.
    source = models.CharField(_("source"), max_length=128, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by_name = models.CharField(_("created by"), max_length=150, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by_name = models.CharField(_("voided by"), max_length=150, blank=True)
    void_reason = models.CharField(_("why it was voided"), max_length=500, blank=True)
    # The tracing team (流调队) investigating it (``CaseAssignment`` keeps each change).
    team = models.ForeignKey(
        "teams.Team",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("tracing team"),
    )

    objects = LiveCaseManager()
    all_objects = models.Manager()  # noqa: DJ012 (ruff takes the custom manager for a field)

    class Meta:
        ordering = ["reported_at", "id"]
        # ``objects`` stays the default: forms, the admin and reverse relations see live cases.
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=~Q(source=""), name="one_case_per_source"
            ),
            # Two submissions of one form, even at the same moment, file one case.
            models.UniqueConstraint(
                fields=["person"], condition=Q(voided_at=None), name="one_live_case_per_person"
            ),
        ]
        indexes = [models.Index(fields=["status", "investigation_due_at"], name="case_due")]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.get_classification_display()} #{self.pk}"

    @property
    def report_overdue(self) -> bool:
        return self.filed_at > self.report_due_at

    def investigation_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        if self.investigated_at is not None:
            return self.investigated_at > self.investigation_due_at
        return now > self.investigation_due_at


class TrajectoryEntry(models.Model):
    """One stop of a case's trajectory (活动轨迹): a place or area, and when."""

    case = models.ForeignKey(
        Case, models.CASCADE, related_name="trajectory", verbose_name=_("case")
    )
    place = models.ForeignKey(
        "places.Place",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("place"),
    )
    area = models.ForeignKey(
        "places.Area",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("area"),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(pgettext_lazy("period", "until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["case_id", "start", "id"]
        verbose_name = _("trajectory entry")
        verbose_name_plural = _("trajectory entries")

    def __str__(self) -> str:
        where = self.place.name if self.place_id else self.description
        return f"{self.start:%m-%d %H:%M} {where}"


class Interview(models.Model):
    """An interview (询问) held during the case's investigation."""

    case = models.ForeignKey(
        Case, models.CASCADE, related_name="interviews", verbose_name=_("case")
    )
    interviewee = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("interviewee"),
    )
    held_at = models.DateTimeField(_("held at"))
    interviewer = models.CharField(_("interviewer"), max_length=150)
    summary = models.TextField(_("summary"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["case_id", "held_at", "id"]
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")

    def __str__(self) -> str:
        return f"{self.held_at:%m-%d %H:%M} {self.interviewer}"


class ExposureSetting(models.TextChoices):
    """The names of the settings the protocol files list (``[contacts]
    settings``), with their labels. Which of them count is the protocol
    file's choice; a test checks that every setting a file names is here."""

    HOUSEHOLD = "household", pgettext_lazy("exposure setting", "Household")  # 共同居住
    CARER = "carer", pgettext_lazy("exposure setting", "Carer")  # 陪护
    TREATMENT = "treatment", pgettext_lazy("exposure setting", "Treating staff")  # 诊疗
    VISITOR = "visitor", pgettext_lazy("exposure setting", "Visitor")  # 探视
    WORKPLACE = "workplace", pgettext_lazy("exposure setting", "Workplace")  # 同一办公室/车间
    DORMITORY = "dormitory", pgettext_lazy("exposure setting", "Dormitory")  # 同宿舍
    CLASSROOM = "classroom", _("Classroom")  # 同班
    TOILET = "toilet", pgettext_lazy("exposure setting", "Shared toilet")  # 共用卫生间
    LIFT = "lift", pgettext_lazy("exposure setting", "Lift")  # 同乘电梯
    MEAL = "meal", _("Meal")  # 同餐
    ENTERTAINMENT = (
        "entertainment",
        pgettext_lazy("exposure setting", "Entertainment in a closed space"),
    )  # 密闭环境娱乐
    VEHICLE = "vehicle", _("Vehicle")  # 同乘
    ENVIRONMENT = (
        "environment",
        pgettext_lazy("exposure setting", "Contaminated environment"),
    )  # 污染环境
    PLACE_VISIT = "place_visit", _("Place visit")  # 同一场所
    OTHER = "other", pgettext_lazy("exposure setting", "Judged by investigators")  # 调查人员判定


class Certainty(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    PROBABLE = "probable", _("Probable")
    POSSIBLE = "possible", _("Possible")


class Exposure(models.Model):
    """An exposure (接触): two persons together in a setting at a time.

    The edge is undirected for the contact engine: who infected whom is not
    known when it is recorded. ``case`` is the investigation that recorded it.
    """

    case = models.ForeignKey(Case, models.CASCADE, related_name="exposures", verbose_name=_("case"))
    # Indexed by the (person, exposed_at) indexes below.
    person_a = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
        db_index=False,
    )
    person_b = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        related_name="+",
        verbose_name=_("exposed person"),
        db_index=False,
    )
    setting = models.CharField(_("setting"), max_length=16, choices=ExposureSetting.choices)
    exposed_at = models.DateTimeField(_("exposed at"))
    certainty = models.CharField(
        _("certainty"), max_length=16, choices=Certainty.choices, default=Certainty.CONFIRMED
    )
    place = models.ForeignKey(
        "places.Place",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("place"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["exposed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(person_a=models.F("person_b")), name="exposure_two_persons"
            ),
            models.UniqueConstraint(
                fields=["person_a", "person_b", "setting", "exposed_at"], name="one_exposure"
            ),
        ]
        indexes = [
            models.Index(fields=["person_a", "exposed_at"], name="exposure_a"),
            models.Index(fields=["person_b", "exposed_at"], name="exposure_b"),
        ]
        verbose_name = _("exposure")
        verbose_name_plural = _("exposures")

    def __str__(self) -> str:
        return f"{self.person_a_id}–{self.person_b_id} {self.get_setting_display()}"


class ContactKind(models.TextChoices):
    CLOSE = "close", _("Close contact")  # 密切接触者
    SECONDARY = "secondary", _("Secondary contact")  # 密接的密接
    COMPANION = "companion", _("Spatiotemporal companion")  # 时空伴随者


class Contact(models.Model):
    """A person traced to a case: close contact, secondary contact or companion.

    Close and secondary contacts are derived from exposures by the contact
    engine; ``via`` is the person through whom a secondary contact was
    reached and ``depth`` how many exposures away from the case they are.
    A secondary contact whose close contact turns positive is upgraded to a
    close contact (``upgraded_at``). Companions come from the companion
    engine. ``area`` is the contact's village: the jurisdiction that sees it.
    """

    # No key carries a database constraint: a contact graph stores hundreds
    # of thousands of contacts in one transaction, and PostgreSQL checks each
    # deferred foreign key row by row at commit (about 10 µs a row and key:
    # 13 s for the four keys of the benchmark's graph). The case is the one
    # being expanded, read in the same transaction; the engine takes persons
    # from exposures, whose own keys hold, and areas from those persons'
    # villages or the case's. Cases and persons are never deleted by the
    # application (Django keeps on_delete: deleting a case in the admin still
    # deletes its contacts; a merge moves these rows), and ``zhanyi
    # integrity`` reports any id that points at nothing.
    # The case is indexed by the one_contact_per_case constraint, which starts with it.
    case = models.ForeignKey(
        Case,
        models.CASCADE,
        related_name="contacts",
        verbose_name=_("case"),
        db_index=False,
        db_constraint=False,
    )
    person = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        related_name="tracing_contacts",
        verbose_name=_("person"),
        db_constraint=False,
    )
    area = models.ForeignKey(
        "places.Area",
        models.PROTECT,
        related_name="tracing_contacts",
        verbose_name=_("area"),
        db_constraint=False,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ContactKind.choices)
    depth = models.PositiveSmallIntegerField(_("depth"), default=1)
    via = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reached through"),
        db_constraint=False,
    )
    first_exposure_at = models.DateTimeField(_("first exposure"))
    last_exposure_at = models.DateTimeField(_("last exposure"))
    identified_at = models.DateTimeField(_("identified at"))
    quarantined_at = models.DateTimeField(_("quarantined at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    upgraded_at = models.DateTimeField(_("upgraded to close contact at"), null=True, blank=True)
    protocol = models.CharField(_("protocol"), max_length=64)

    class Meta:
        ordering = ["case_id", "kind", "id"]
        # Indexes: the case's contacts (the constraint), by person (codes,
        # merges), by area (jurisdiction lists) and by via (a new case
        # upgrades the secondary contacts reached through its person). No
        # query filters on released_at, and kind alone picks too much of the
        # table to beat a scan, so there is no (kind, released_at) index.
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="one_contact_per_case")
        ]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person_id} of case {self.case_id}"


class CaseAssignment(models.Model):
    """A case given to a tracing team (流调队): automatically by area and load,
    or by hand; a reassignment says why."""

    case = models.ForeignKey(
        Case, models.CASCADE, related_name="assignments", verbose_name=_("case")
    )
    team = models.ForeignKey(
        "teams.Team", models.PROTECT, related_name="+", verbose_name=_("tracing team")
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    automatic = models.BooleanField(_("assigned automatically"), default=False)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    by_name = models.CharField(_("assigned by"), max_length=150, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        verbose_name = _("case assignment")
        verbose_name_plural = _("case assignments")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.team_id}"


class SourceKind(models.TextChoices):
    CASE = "case", _("Another case")
    TRAVEL = "travel", _("Travel from a risk area")
    COLD_CHAIN = "cold_chain", _("Cold-chain item")
    UNKNOWN = "unknown", _("Unknown")


#: Sources from outside the city (输入): the chain starts with them.
IMPORTED_KINDS = (SourceKind.TRAVEL, SourceKind.COLD_CHAIN)


class InfectionSource(models.Model):
    """The probable source of a case's infection (溯源): another case, with the
    exposure that links them; an imported origin (travel from a risk area, a
    cold-chain item); or unknown. With the evidence and who decided."""

    case = models.OneToOneField(
        Case, models.CASCADE, related_name="infection_source", verbose_name=_("case")
    )
    kind = models.CharField(_("source"), max_length=16, choices=SourceKind.choices)
    source_case = models.ForeignKey(
        Case,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="infected",
        verbose_name=_("source case"),
    )
    exposure = models.ForeignKey(
        Exposure,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("exposure"),
    )
    origin = models.CharField(_("origin"), max_length=200, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    decided_at = models.DateTimeField(_("decided at"))
    decided_by_name = models.CharField(_("decided by"), max_length=150)

    class Meta:
        verbose_name = _("source of infection")
        verbose_name_plural = _("sources of infection")

    def __str__(self) -> str:
        return f"{self.case_id} ← {self.get_kind_display()}"


class StayFile(models.Model):
    """One operator's daily stay file (运营商数据) received for the companion store.

    It arrives in the watched folder (``ZHANYI_STAY_FEEDS_DIR``) or by the API
    and is ingested by the scheduler (``tracing.ingest_stay_feeds``); what it
    held, or why it was refused, is kept here, by the day it arrived.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("stay file", "Received")
        INGESTED = "ingested", pgettext_lazy("stay file", "Ingested")
        REFUSED = "refused", pgettext_lazy("stay file", "Refused")

    class Via(models.TextChoices):
        FOLDER = "folder", _("Watched folder")
        API = "api", _("API")
        PAGE = "page", _("Upload page")
        COMMAND = "command", _("Command line")

    operator = models.CharField(_("operator"), max_length=100, blank=True)
    filename = models.CharField(_("file"), max_length=255)
    path = models.CharField(max_length=500, blank=True)  # where it waits or was kept
    file_hash = models.CharField(max_length=64, blank=True, db_index=True)
    size_bytes = models.BigIntegerField(_("size"), default=0)
    via = models.CharField(_("received by way of"), max_length=16, choices=Via.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    reason = models.TextField(_("reason"), blank=True)
    arrived_on = models.DateField(_("arrived on"), db_index=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    received_by_name = models.CharField(_("received by"), max_length=150, blank=True)
    rows = models.BigIntegerField(_("rows"), default=0)
    stays = models.BigIntegerField(_("stays stored"), default=0)
    rejects = models.JSONField(_("rows set aside"), default=dict, blank=True)
    days = models.JSONField(_("days of stays"), default=list, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("stay file")
        verbose_name_plural = _("stay files")

    def __str__(self) -> str:
        return self.filename
