"""The population register (人口登记): extracts loaded into the person index.

The public-security bureau keeps the register of the households (户籍人口), of
the people living in the city (常住人口) and of the floating population
(流动人口). An extract arrives as xlsx or CSV each month; a load links each row
to the index (by the exact identity number, then the linkage model), forms the
households and resolves their addresses to villages, and reports what changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegisterKind(models.TextChoices):
    HUKOU = "hukou", _("Household register (户籍人口)")
    RESIDENT = "resident", _("Resident population (常住人口)")
    FLOATING = "floating", _("Floating population (流动人口)")


class RegisterMapping(models.Model):
    """A saved column mapping (field → header) for the extracts of one sender."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    column_mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("register mapping")
        verbose_name_plural = _("register mappings")

    def __str__(self) -> str:
        return self.name


class RegisterLoad(models.Model):
    """One extract file loaded (or being loaded), with what it changed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Loading")
        DONE = "done", _("Loaded")
        FAILED = "failed", _("Failed")

    class Stage(models.TextChoices):
        """Where a running load is; the page shows the label."""

        READING = "reading", _("reading the file")
        CHECKING = "checking", _("checking the rows")
        STORING = "storing", _("storing")
        LINKING = "linking", _("linking to the person index")
        HOUSEHOLDS = "households", _("forming households")
        CHANGES = "changes", _("writing the changes")
        NEW = "new", _("writing the new persons")

    kind = models.CharField(_("register"), max_length=16, choices=RegisterKind.choices)
    mapping = models.ForeignKey(
        RegisterMapping,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="loads",
        verbose_name=_("column mapping"),
    )
    column_mapping = models.JSONField(_("columns mapped for this file"), default=dict, blank=True)
    filename = models.CharField(_("file"), max_length=255)
    path = models.CharField(max_length=500, blank=True)  # the upload, while queued
    file_hash = models.CharField(max_length=64, blank=True, db_index=True)
    file_format = models.CharField(_("format"), max_length=8, blank=True)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    stage = models.CharField(_("stage"), max_length=32, blank=True, choices=Stage.choices)
    rows_done = models.IntegerField(_("rows read so far"), default=0)
    message = models.TextField(_("message"), blank=True)
    repeat_of = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("same file as"),
    )
    rows_read = models.IntegerField(_("rows read"), default=0)
    rows_invalid = models.IntegerField(_("rows refused"), default=0)
    rows_warned = models.IntegerField(_("rows with warnings"), default=0)
    new = models.IntegerField(_("new persons"), default=0)
    changed = models.IntegerField(_("changed"), default=0)
    moved = models.IntegerField(_("moved"), default=0)
    unchanged = models.IntegerField(_("unchanged"), default=0)
    linked = models.IntegerField(_("linked to the index"), default=0)
    review = models.IntegerField(_("to review"), default=0)
    households_new = models.IntegerField(_("new households"), default=0)
    unresolved = models.IntegerField(_("addresses without a village"), default=0)
    error_file = models.CharField(_("error file"), max_length=255, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    changes = models.JSONField(_("first changes"), default=list, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_by_name = models.CharField(_("received by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("register load")
        verbose_name_plural = _("register loads")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"


class RegisterReview(models.Model):
    """A register row the linkage model could not decide: a person to confirm."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To review")
        LINKED = "linked", _("Linked to a person")
        CREATED = "created", _("New person")

    load = models.ForeignKey(
        RegisterLoad, models.CASCADE, related_name="reviews", verbose_name=_("register load")
    )
    row_number = models.IntegerField(_("row"))
    values = models.JSONField(_("row as read"))
    candidates = models.JSONField(_("candidates"), default=list)
    village = models.ForeignKey(
        "places.Area",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    person = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["load", "row_number"]
        verbose_name = _("register row to review")
        verbose_name_plural = _("register rows to review")

    def __str__(self) -> str:
        return f"{self.load_id}:{self.row_number}"
