"""Screening of pushed lists (协查 / 人员排查).

Another region pushes a list of people (a push list, 协查名单): close contacts,
secondary contacts, spatiotemporal companions, arrivals from risk areas. Each
row becomes a ``PushRecord`` kept as it arrived, linked to a person of the
index (or to a new one), and the person becomes a ``ScreeningTask`` for the
village's five-to-one team (五包一), due two hours after receipt. A task is per
person: the same person pushed twice, by one list or by several sources, is one
task and one person in every figure.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PushCategory(models.TextChoices):
    CLOSE_CONTACT = "close_contact", _("Close contact")  # 密接
    SECONDARY_CONTACT = "secondary_contact", _("Secondary contact")  # 次密接
    COMPANION = "companion", _("Spatiotemporal companion")  # 时空伴随
    RISK_AREA_ARRIVAL = "risk_area_arrival", _("Arrival from a risk area")  # 中高风险地区来返


class PushSource(models.Model):
    """Who pushes lists (推送方): 莆田市协查, 厦门市协查, or the door-to-door campaign.

    ``column_mapping`` maps each field of a push record to the header the
    source's files use for it (``{"identity_number": "证件号码"}``), saved so the
    next file from the same source is read the same way.
    """

    class Kind(models.TextChoices):
        PUSH = "push", _("Pushed by another region")
        DOOR_TO_DOOR = "door_to_door", _("Door-to-door campaign")

    name = models.CharField(pgettext_lazy("object", "name"), max_length=100, unique=True)
    origin_city = models.CharField(_("origin city"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PUSH)
    column_mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("push source")
        verbose_name_plural = _("push sources")

    def __str__(self) -> str:
        return self.name


class PushList(models.Model):
    """One file (or one campaign's door-to-door findings) received from a source."""

    source = models.ForeignKey(
        PushSource, models.PROTECT, related_name="lists", verbose_name=_("source")
    )
    filename = models.CharField(_("file name"), max_length=255)
    # sha256 of the file's bytes: the same file twice is recognised.
    file_hash = models.CharField(_("file hash"), max_length=64, unique=True)
    file_format = models.CharField(_("format"), max_length=8)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_stored = models.PositiveIntegerField(_("rows stored"), default=0)
    # Rows refused: nothing in them identifies the person.
    rows_invalid = models.PositiveIntegerField(_("rows refused"), default=0)
    rows_repeated = models.PositiveIntegerField(_("rows received before"), default=0)
    # Rows stored with a field left out of matching (each says why).
    rows_warned = models.PositiveIntegerField(_("rows with warnings"), default=0)
    # What was noticed of the file as a whole: the header found below a title,
    # columns not read, totals rows skipped (translated when written).
    notes = models.JSONField(_("notes"), default=list, blank=True)
    # Path of the error file under DATA_DIR (the rows with an error column).
    error_file = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_by_name = models.CharField(_("received by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("push list")
        verbose_name_plural = _("push lists")

    def __str__(self) -> str:
        return f"{self.source.name} · {self.filename}"


class ImportJob(models.Model):
    """The progress record of one import (web upload or API post), polled by the page."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        READING = "reading", _("Reading and checking rows")
        STORING = "storing", _("Linking and dispatching")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    source = models.ForeignKey(PushSource, models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)
    path = models.CharField(max_length=500)
    # Columns mapped for this file (field → header), before the source's mapping.
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    # host:pid of the worker process running it (screening.jobs.fail_abandoned_imports).
    worker = models.CharField(max_length=100, blank=True)
    push_list = models.ForeignKey(
        PushList, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def stalled(self) -> bool:
        """Still queued after ``JOB_STALLED_AFTER_S``: no background worker took it."""
        waited = (timezone_now() - self.created_at).total_seconds()
        return self.status == self.Status.QUEUED and waited > settings.JOB_STALLED_AFTER_S

    @property
    def stalled_message(self) -> str:
        if not self.stalled:
            return ""
        return str(
            _(
                "No background worker has started this import for %(minutes)s minutes: none"
                " is running or all are busy. Ask the administrator to check that"
                " `zhanyi serve` or `zhanyi worker` is running; the import starts as soon as"
                " one is."
            )
            % {"minutes": max(1, int((timezone_now() - self.created_at).total_seconds() // 60))}
        )

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_done / self.rows_total))


class Decision(models.TextChoices):
    LINK = "link", _("Linked to a person in the index")
    NEW = "new", _("New person")
    REVIEW = "review", _("Waiting for review")


class ScreeningTask(models.Model):
    """A person to find on the ground (排查任务), for one village's five-to-one team.

    ``area`` is who must act: the village, or the township (or county) when
    the address named no village we know (the manual queue). An overdue task
    is escalated to the township: ``escalated_to``.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        FOUND_IN_CITY = "found_in_city", _("Found in the city")
        NOT_IN_CITY = "not_in_city", _("Not in the city")
        NOT_FOUND = "not_found", _("Not found")

    class Measure(models.TextChoices):
        CENTRALISED_QUARANTINE = "centralised_quarantine", _("Centralised quarantine")
        HOME_QUARANTINE = "home_quarantine", _("Home quarantine")
        HEALTH_MONITORING = "health_monitoring", _("Health monitoring")

    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="screening_tasks", verbose_name=_("person")
    )
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="screening_tasks", verbose_name=_("area")
    )
    manual = models.BooleanField(_("address not resolved"), default=False)
    category = models.CharField(_("category"), max_length=32, choices=PushCategory.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("due at"))
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        "places.Area", models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    found_where = models.CharField(_("where found"), max_length=255, blank=True)
    measure = models.CharField(_("measure"), max_length=32, choices=Measure.choices, blank=True)
    test_arranged = models.BooleanField(_("test arranged"), default=False)
    current_location = models.CharField(_("where they are now"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by_name = models.CharField(_("closed by"), max_length=150, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("screening task")
        verbose_name_plural = _("screening tasks")
        indexes = [
            models.Index(fields=["status", "due_at"], name="screening_task_status_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="open"), name="one_open_screening_task"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.person_id}"


class TaskEvent(models.Model):
    """One step of a task and when it happened (dispatched, reassigned, escalated, closed)."""

    class Kind(models.TextChoices):
        DISPATCHED = "dispatched", _("Dispatched")
        MERGED = "merged", _("Pushed again")
        REASSIGNED = "reassigned", _("Reassigned")
        ESCALATED = "escalated", _("Escalated")
        CONTACTED = "contacted", _("Contacted")
        NOTE = "note", _("Note")
        CLOSED = "closed", _("Closed")

    task = models.ForeignKey(ScreeningTask, models.CASCADE, related_name="events")
    kind = models.CharField(_("step"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    by_name = models.CharField(_("by"), max_length=150, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class PushRecord(models.Model):
    """One row of a push list as received, its link to a person and its task."""

    push_list = models.ForeignKey(PushList, models.PROTECT, related_name="records")
    source = models.ForeignKey(PushSource, models.PROTECT, related_name="records")
    row_number = models.PositiveIntegerField(_("row"))
    # sha256 of the source and the row's normalised fields: the same row twice
    # (in another file, or in a corrected error file) is stored once.
    fingerprint = models.CharField(max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    identity_number = models.CharField(_("identity number"), max_length=32, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    sex = models.CharField(_("sex"), max_length=8, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    category = models.CharField(_("category"), max_length=32, choices=PushCategory.choices)
    origin = models.CharField(_("pushed from"), max_length=100, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=8, blank=True)
    exposure_at = models.DateTimeField(_("last exposure"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    payload = models.JSONField(_("row as received"), default=dict)
    # Fields left out of matching, each with why (translated when read).
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    received_at = models.DateTimeField(_("received at"))
    person = models.ForeignKey(
        "people.Person", models.PROTECT, null=True, blank=True, related_name="push_records"
    )
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    match_probability = models.FloatField(null=True, blank=True)
    method = models.CharField(max_length=16, blank=True)
    candidates = models.JSONField(default=list, blank=True)
    village = models.ForeignKey(
        "places.Area", models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_area = models.ForeignKey(
        "places.Area", models.PROTECT, null=True, blank=True, related_name="+"
    )
    address_confidence = models.FloatField(null=True, blank=True)
    task = models.ForeignKey(
        ScreeningTask, models.SET_NULL, null=True, blank=True, related_name="records"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["push_list_id", "row_number"]
        verbose_name = _("push record")
        verbose_name_plural = _("push records")
        indexes = [models.Index(fields=["decision", "reviewed_at"], name="push_record_review")]

    def __str__(self) -> str:
        return f"{self.push_list_id}:{self.row_number} {self.name}"


class Campaign(models.Model):
    """A door-to-door campaign (家家访) over chosen villages."""

    name = models.CharField(pgettext_lazy("object", "name"), max_length=100)
    villages = models.ManyToManyField("places.Area", related_name="+", verbose_name=_("villages"))
    started_at = models.DateTimeField(_("started at"))
    created_by_name = models.CharField(max_length=150, blank=True)
    # The door-to-door findings of the campaign: a push list of its own.
    push_list = models.OneToOneField(PushList, models.PROTECT, related_name="campaign")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("door-to-door campaign")
        verbose_name_plural = _("door-to-door campaigns")

    def __str__(self) -> str:
        return self.name


class Visit(models.Model):
    """A household visited (入户): 一封信、三询问、一告示."""

    campaign = models.ForeignKey(Campaign, models.PROTECT, related_name="visits")
    household = models.ForeignKey("people.Household", models.PROTECT, related_name="+")
    visited_at = models.DateTimeField(_("visited at"))
    visited_by_name = models.CharField(_("visited by"), max_length=150, blank=True)
    letter_delivered = models.BooleanField(_("letter delivered"), default=False)
    questions_asked = models.BooleanField(_("three questions asked"), default=False)
    notice_posted = models.BooleanField(_("notice posted"), default=False)
    nobody_home = models.BooleanField(_("nobody at home"), default=False)
    arrivals_found = models.PositiveIntegerField(_("arrivals found"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-visited_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"], name="one_visit_per_household"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.household_id}"
