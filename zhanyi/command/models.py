"""The headquarters' records: the twice-daily report (每日两报), directives
(指令) and the daily meeting, supervision (督导).

A report is a snapshot: every registered figure (``zhanyi.core.metrics``) for
the city and each county, computed once when the report is taken, with the
change since the report before it. Its numbers are never written again, so a
report reads as it was issued however the data changes later; only the
coordination desk's commentary is added to it afterwards.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanyi.core import metrics
from zhanyi.engine import flowcharts as flowchart_engine
from zhanyi.engine.protocol import LOCAL_TZ


def number_text(value: float) -> str:
    """A stored figure as the report writes it: whole numbers with thousands
    separators, others to one decimal."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


class Report(models.Model):
    """One twice-daily report (每日两报): the 12:00 or 20:00 snapshot of a day."""

    #: The slot it stands for (a day's 12:00 or 20:00, local): one report per slot.
    scheduled_for = models.DateTimeField(_("scheduled for"), unique=True)
    taken_at = models.DateTimeField(_("taken at"))
    taken_by = models.CharField(_("taken by"), max_length=150)
    previous = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="next",
        verbose_name=_("previous report"),
    )
    commentary = models.TextField(_("commentary"), blank=True)
    commentary_by = models.CharField(_("commentary by"), max_length=150, blank=True)
    commentary_at = models.DateTimeField(_("commentary at"), null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_for"]
        verbose_name = _("twice-daily report")
        verbose_name_plural = _("twice-daily reports")

    def __str__(self) -> str:
        return f"{self.scheduled_for.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"


class ReportFigure(models.Model):
    """One figure of one area in a report, as computed when the report was taken.

    Written once with its report and never changed: ``save`` refuses an update
    and ``delete`` refuses outright (the report's rows go only with a database
    flush)."""

    report = models.ForeignKey(Report, models.PROTECT, related_name="figures")
    area = models.ForeignKey("places.Area", models.PROTECT, related_name="+")
    name = models.CharField(_("figure"), max_length=100)
    label = models.CharField(_("label"), max_length=200)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    order = models.IntegerField(default=100)
    value = models.FloatField(_("value"))
    #: The same figure of the same area in the previous report (None: none then).
    previous_value = models.FloatField(_("previous value"), null=True, blank=True)
    change = models.FloatField(_("change"), null=True, blank=True)

    class Meta:
        ordering = ["report_id", "area__path", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["report", "area", "name"], name="one_value_per_figure")
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.area_id} {self.name}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("A report's figures are never changed after it is taken."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A report's figures are never changed after it is taken."))

    def shown_label(self) -> str:
        """The figure's label in the reader's language (the stored one, in
        the site's language, once the figure is no longer registered)."""
        try:
            return str(metrics.get(self.name).label)
        except KeyError:
            return self.label

    def shown_unit(self) -> str:
        try:
            return str(metrics.get(self.name).unit)
        except KeyError:
            return self.unit

    def value_text(self) -> str:
        return number_text(self.value)

    def change_text(self) -> str:
        """The change since the previous report, signed ("+3", "−2", "0"); "" with none."""
        if self.change is None:
            return ""
        if self.change == 0:
            return "0"
        return ("+" if self.change > 0 else "−") + number_text(abs(self.change))


# -- directives (指令) -------------------------------------------------------------------


class DirectiveState(models.TextChoices):
    ISSUED = "issued", _("Issued")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DONE = "done", pgettext_lazy("directive state", "Done")
    VERIFIED = "verified", _("Verified")


class Directive(models.Model):
    """A directive (指令) of the headquarters: what must be done, by whom, by when.

    It is owned by a task force (its members acknowledge and report it done)
    or by an area (the area's staff do); the headquarters that issued it
    verifies it. Past its deadline and not done, it is overdue: the
    supervision ledger lists it and the clock's job escalates it once."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("what is to be done"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_by_name = models.CharField(_("issued by"), max_length=150)
    issued_at = models.DateTimeField(_("issued at"))
    task_force = models.ForeignKey(
        "accounts.TaskForce",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="directives",
        verbose_name=_("owning task force"),
    )
    #: The area the directive concerns; its staff own it when no task force does.
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    due_at = models.DateTimeField(_("deadline"))
    state = models.CharField(
        _("state"), max_length=16, choices=DirectiveState.choices, default=DirectiveState.ISSUED
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by_name = models.CharField(_("acknowledged by"), max_length=150, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by_name = models.CharField(_("done by"), max_length=150, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="directives/%Y/%m/", blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by_name = models.CharField(_("verified by"), max_length=150, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    #: The daily meeting that took the decision, when one did.
    meeting = models.ForeignKey(
        "Meeting",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("meeting"),
    )

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["state", "due_at"], name="directive_state_due")]
        verbose_name = _("directive")
        verbose_name_plural = _("directives")

    def __str__(self) -> str:
        return self.title

    def owner_label(self) -> str:
        if self.task_force_id is not None:
            return str(self.task_force.get_kind_display())
        return self.area.name

    def is_open(self) -> bool:
        return self.state in (DirectiveState.ISSUED, DirectiveState.ACKNOWLEDGED)

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.is_open() and self.due_at < now


class Meeting(models.Model):
    """A daily coordination meeting (每日调度会) of the headquarters."""

    held_at = models.DateTimeField(_("held at"), unique=True)
    chaired_by = models.CharField(_("chaired by"), max_length=150, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by_name = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        ordering = ["-held_at"]
        verbose_name = _("daily meeting")
        verbose_name_plural = _("daily meetings")

    def __str__(self) -> str:
        return f"{self.held_at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"


# -- supervision (督导) ------------------------------------------------------------------


class GroupKind(models.TextChoices):
    SUPERVISION = "supervision", _("Supervision group")  # 督导组
    INSPECTION = "inspection", _("Inspection group")  # 督查组


class SupervisionGroup(models.Model):
    """One of the headquarters' supervision or inspection groups (8 + 8 in the article)."""

    name = models.CharField(pgettext_lazy("of a thing", "name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)
    #: The area it covers (the city, or the county it is sent to).
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area covered")
    )
    leader = models.CharField(_("leader"), max_length=100, blank=True)
    members = models.TextField(_("members"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("supervision group")
        verbose_name_plural = _("supervision groups")

    def __str__(self) -> str:
        return self.name


class Visit(models.Model):
    """A group's visit to an area (a village, a site, a checkpoint)."""

    group = models.ForeignKey(
        SupervisionGroup, models.PROTECT, related_name="visits", verbose_name=_("group")
    )
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area visited")
    )
    visited_at = models.DateTimeField(_("visited at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        ordering = ["-visited_at", "-id"]
        verbose_name = _("supervision visit")
        verbose_name_plural = _("supervision visits")

    def __str__(self) -> str:
        return f"{self.group} · {self.area.name}"


class Finding(models.Model):
    """A problem a visit found, with the rectification (整改) it needs by a deadline."""

    visit = models.ForeignKey(
        Visit, models.PROTECT, related_name="findings", verbose_name=_("visit")
    )
    text = models.TextField(_("finding"))
    #: Who must rectify it: a task force kind (``TaskForceKind``), or the area's staff.
    owner = models.CharField(_("owning task force"), max_length=32, blank=True)
    rectify_by = models.DateTimeField(_("rectify by"))
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    rectified_by_name = models.CharField(_("rectified by"), max_length=150, blank=True)
    rectification = models.TextField(_("rectification"), blank=True)

    class Meta:
        ordering = ["rectify_by", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.text[:60]


class Measure(models.TextChoices):
    TALK = "talk", _("Admonitory talk")  # 约谈
    NOTICE = "notice", _("Circulated criticism")  # 通报批评
    WARNING = "warning", _("Disciplinary warning")  # 警告处分
    REMOVAL = "removal", _("Removal from post")  # 免职


class Accountability(models.Model):
    """An accountability record (问责) for slow or false work."""

    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    #: The unit or official held to account (a post, never a private person).
    held = models.CharField(_("held to account"), max_length=200)
    measure = models.CharField(_("measure"), max_length=16, choices=Measure.choices)
    reason = models.TextField(_("reason"))
    finding = models.ForeignKey(
        Finding, models.PROTECT, null=True, blank=True, related_name="accountability"
    )
    directive = models.ForeignKey(
        Directive, models.PROTECT, null=True, blank=True, related_name="accountability"
    )
    decided_at = models.DateTimeField(_("decided at"))
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")

    def __str__(self) -> str:
        return f"{self.held} · {self.get_measure_display()}"


# -- the emergency plan (应急预案) and drills (演练) -----------------------------------


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_FORCE = "in_force", pgettext_lazy("emergency plan", "In force")
    SUPERSEDED = "superseded", _("Superseded")


class PlanVersion(models.Model):
    """One version of the city's emergency plan (应急预案; Zhangzhou's was the
    4th): its text and its flowcharts (流程图), each a small state machine
    (``zhanyi.engine.flowcharts``). Drafted, then approved by the headquarters;
    one version is in force at a time, and an approved version is never
    changed again, so an earlier one reads as it was issued."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    effective_on = models.DateField(_("effective date"))
    text = models.TextField(_("text"), blank=True)
    #: The flowcharts, in ``Flowchart.as_dict`` form.
    flowcharts = models.JSONField(_("flowcharts"), default=list)
    state = models.CharField(
        _("state"), max_length=16, choices=PlanState.choices, default=PlanState.DRAFT
    )
    created_by_name = models.CharField(_("drafted by"), max_length=150)
    created_at = models.DateTimeField(_("drafted at"))
    updated_at = models.DateTimeField(_("last edited at"))
    approved_by_name = models.CharField(_("approved by"), max_length=150, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["state"],
                condition=models.Q(state="in_force"),
                name="one_plan_version_in_force",
            )
        ]
        verbose_name = _("emergency plan version")
        verbose_name_plural = _("emergency plan versions")

    def __str__(self) -> str:
        return f"v{self.number} {self.title}"

    def charts(self) -> list[flowchart_engine.Flowchart]:
        return flowchart_engine.parse_all(self.flowcharts)

    def sections(self) -> list[tuple[str, str]]:
        """The text cut at lines starting with ``#``: (heading, body) pairs."""
        out: list[tuple[str, str]] = []
        heading, body = "", []
        for line in self.text.splitlines():
            if line.startswith("#"):
                if heading or any(b.strip() for b in body):
                    out.append((heading, "\n".join(body).strip()))
                heading, body = line.lstrip("#").strip(), []
            else:
                body.append(line)
        if heading or any(b.strip() for b in body):
            out.append((heading, "\n".join(body).strip()))
        return out


class DrillState(models.TextChoices):
    PREPARING = "preparing", _("Preparing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    STOPPED = "stopped", _("Stopped")
    DELETED = "deleted", _("Deleted")


class Drill(models.Model):
    """A drill (演练): a scenario replayed into a database of its own, so a
    city rehearses without touching live data. The record lives in the live
    database; the drill's data only in its own (``zhanyi.command.drills``)."""

    name = models.SlugField(pgettext_lazy("of a thing", "name"), max_length=40)
    scenario = models.CharField(_("scenario"), max_length=40)
    state = models.CharField(
        _("state"), max_length=16, choices=DrillState.choices, default=DrillState.PREPARING
    )
    #: The drill's database: a SQLite file's path, or a PostgreSQL database's name.
    database = models.CharField(_("database"), max_length=300)
    started_by_name = models.CharField(_("started by"), max_length=150)
    started_at = models.DateTimeField(_("started at"))
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=~models.Q(state="deleted"),
                name="one_drill_per_name",
            )
        ]
        verbose_name = _("drill")
        verbose_name_plural = _("drills")

    def __str__(self) -> str:
        return self.name
