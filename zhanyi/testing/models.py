"""Nucleic-acid testing (核酸检测): rounds, sites, tubes, samples, deliveries, results.

The chain is the article's 采、送、检、报 (sample, deliver, test, report): a
person's swab goes into a tube of ``pool_size`` swabs (10合1); a full tube
closes; tubes travel to a lab in a delivery batch; the lab receives the batch,
tests each tube and reports its result. Every step keeps its time, so each
stage's turnaround and the whole chain's are known per site and per lab.

A round's target population is materialised as ``RoundTarget`` rows when the
round is created, so coverage (tested, not yet tested, exempt) is one join.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanyi.engine.protocol import DEFAULT_PROTOCOL


class RoundKind(models.TextChoices):
    WHOLE_POPULATION = "whole_population", _("Whole population")  # 全员
    KEY_GROUPS = "key_groups", _("Key groups")  # 重点人群
    SEALED_ZONE = "sealed_zone", _("Sealed zone")  # 封控区
    QUARANTINE_SITE = "quarantine_site", _("Quarantine site")  # 隔离点
    SCHOOLS = "schools", _("Schools")  # 学校


class Schedule(models.Model):
    """A standing schedule (常态化检测): the same scope tested every ``every_days`` days.

    Port workers every 2 days, a quarantine site daily: each period becomes a
    ``TestingRound`` (``number`` 1, 2, …) when the schedule is run forward.
    """

    name = models.CharField(pgettext_lazy("object", "name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=RoundKind.choices)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("responsible area")
    )
    scope_areas = models.ManyToManyField("places.Area", related_name="+", blank=True)
    scope_places = models.ManyToManyField("places.Place", related_name="+", blank=True)
    every_days = models.PositiveSmallIntegerField(_("every (days)"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    pool_size = models.PositiveSmallIntegerField(_("pool size"))
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("testing schedule")
        verbose_name_plural = _("testing schedules")

    def __str__(self) -> str:
        return self.name


class TestingRound(models.Model):
    """A testing round (全员核酸检测 / 重点人群检测): a scope, a time window, a pool size."""

    __test__ = False  # not a pytest class

    name = models.CharField(pgettext_lazy("object", "name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=RoundKind.choices)
    # The lowest area containing the whole scope: who may run the round.
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("responsible area")
    )
    scope_areas = models.ManyToManyField(
        "places.Area", related_name="+", blank=True, verbose_name=_("areas")
    )
    scope_places = models.ManyToManyField(
        "places.Place", related_name="+", blank=True, verbose_name=_("places")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    pool_size = models.PositiveSmallIntegerField(_("pool size"))
    # A key group by age (a school round: pupils 6-18), on top of the scope.
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    protocol = models.CharField(_("protocol"), max_length=64, default=DEFAULT_PROTOCOL)
    schedule = models.ForeignKey(
        Schedule, models.PROTECT, null=True, blank=True, related_name="rounds"
    )
    number = models.PositiveIntegerField(_("number in schedule"), default=1)
    created_by_name = models.CharField(_("created by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("testing round")
        verbose_name_plural = _("testing rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "number"],
                condition=Q(schedule__isnull=False),
                name="one_round_per_schedule_number",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="round_window_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RoundTarget(models.Model):
    """A person a round must test, with the village that counts them; or exempt (免检)."""

    # Targets are derived rows: one INSERT … SELECT from live persons writes
    # them, so their keys hold by construction. They carry no database
    # constraints: a million rows pointing at one round (and a few hundred
    # villages) would make PostgreSQL lock those rows a million times at
    # commit. Django still applies on_delete. Two indexes serve every read,
    # each costing about 3 s per million targets written: (person, round) for
    # a person's rounds (a merge moves them) and one person in a round, and
    # (round, village) for a round, whole or a village's part of it.
    round = models.ForeignKey(
        TestingRound, models.CASCADE, related_name="targets", db_index=False, db_constraint=False
    )
    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    village = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    exempt = models.BooleanField(_("exempt"), default=False)
    exempt_reason = models.CharField(_("exemption reason"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("round target")
        verbose_name_plural = _("round targets")
        constraints = [
            models.UniqueConstraint(fields=["person", "round"], name="one_target_per_person_round")
        ]
        indexes = [models.Index(fields=["round", "village"], name="target_round_village")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.person_id}"


class SamplingSite(models.Model):
    """A sampling point (采样点) in a village, maybe at a place (a school, a port)."""

    name = models.CharField(pgettext_lazy("object", "name"), max_length=100)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("village")
    )
    place = models.ForeignKey(
        "places.Place", models.PROTECT, null=True, blank=True, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["area__path", "name"]
        verbose_name = _("sampling site")
        verbose_name_plural = _("sampling sites")

    def __str__(self) -> str:
        return self.name


class SamplingTeam(models.Model):
    """A sampling team (采样队) working at a site."""

    site = models.ForeignKey(SamplingSite, models.CASCADE, related_name="teams")
    name = models.CharField(pgettext_lazy("object", "name"), max_length=100)
    lead = models.CharField(pgettext_lazy("team", "lead"), max_length=100, blank=True)
    members = models.PositiveSmallIntegerField(_("members"), default=1)

    class Meta:
        ordering = ["site_id", "name"]
        verbose_name = _("sampling team")
        verbose_name_plural = _("sampling teams")

    def __str__(self) -> str:
        return f"{self.site.name} · {self.name}"


class Lab(models.Model):
    """A testing laboratory (检测机构)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(pgettext_lazy("object", "name"), max_length=100)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    daily_capacity = models.PositiveIntegerField(_("tubes per day"), default=0)

    class Meta:
        ordering = ["code"]
        verbose_name = _("laboratory")
        verbose_name_plural = _("laboratories")

    def __str__(self) -> str:
        return self.name


class TubeStatus(models.TextChoices):
    # Contexts: the same words are a task's or a list's states elsewhere.
    OPEN = "open", pgettext_lazy("tube status", "Open")
    CLOSED = "closed", pgettext_lazy("tube status", "Closed")
    DELIVERED = "delivered", pgettext_lazy("tube status", "Delivered")
    RECEIVED = "received", pgettext_lazy("tube status", "Received")
    REPORTED = "reported", pgettext_lazy("tube status", "Reported")


class TestResult(models.TextChoices):
    __test__ = False

    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")


class Purpose(models.TextChoices):
    ROUND = "round", _("Round")
    RESAMPLE = "resample", _("Single-tube re-sampling")  # 单采复核
    SCHEDULED = "scheduled", _("Scheduled test")  # 按期核酸


class DeliveryBatch(models.Model):
    """Tubes carried from a site to a lab together (送检批次)."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    site = models.ForeignKey(SamplingSite, models.PROTECT, related_name="batches")
    lab = models.ForeignKey(Lab, models.PROTECT, related_name="batches")
    delivered_at = models.DateTimeField(_("delivered at"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    created_by_name = models.CharField(_("created by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-delivered_at", "-id"]
        verbose_name = _("delivery batch")
        verbose_name_plural = _("delivery batches")

    def __str__(self) -> str:
        return self.code


class Tube(models.Model):
    """A sample tube (采样管) with its barcode, holding up to ``pool_size`` swabs."""

    # A round writes a hundred thousand tubes at once and then updates each
    # one three times (delivered, received, reported); an update that is not
    # HOT writes a new entry into every index. So the tube keeps only the
    # indexes a read needs: the barcode, the round, the village (jurisdiction),
    # and partial indexes on the keys most tubes leave empty (batch until
    # delivered, team, parent) and on the few positive tubes. No index names
    # the status, so a receipt is a HOT update (see the fillfactor in
    # migration 0004). The keys carry no database constraint: PostgreSQL
    # checks each one per row at commit, an empty one too (about 6 µs each,
    # 4 s for a round's tubes); the actions set them from rows they have just
    # read or created, and Django still applies on_delete.
    barcode = models.CharField(_("barcode"), max_length=64)
    round = models.ForeignKey(
        TestingRound,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="tubes",
        db_constraint=False,
    )
    site = models.ForeignKey(
        SamplingSite, models.PROTECT, related_name="tubes", db_index=False, db_constraint=False
    )
    # The site's village: the jurisdiction that sees the tube.
    area = models.ForeignKey("places.Area", models.PROTECT, related_name="+", db_constraint=False)
    team = models.ForeignKey(
        SamplingTeam,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="tubes",
        db_index=False,
        db_constraint=False,
    )
    pool_size = models.PositiveSmallIntegerField(_("pool size"))
    purpose = models.CharField(
        _("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.ROUND
    )
    # A re-sampling tube names the positive pool it resolves.
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="resamples",
        db_index=False,
        db_constraint=False,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TubeStatus.choices, default=TubeStatus.OPEN
    )
    samples_count = models.PositiveSmallIntegerField(_("samples"), default=0)
    opened_at = models.DateTimeField(_("opened at"))
    sampled_at = models.DateTimeField(_("sampled at"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("tube", "closed at"), null=True, blank=True)
    batch = models.ForeignKey(
        DeliveryBatch,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="tubes",
        db_index=False,
        db_constraint=False,
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=TestResult.choices, blank=True)
    tested_at = models.DateTimeField(_("tested at"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("tube")
        verbose_name_plural = _("tubes")
        constraints = [
            # A constraint, not unique=True: the field option would add a
            # second (LIKE) index on PostgreSQL that no query uses.
            models.UniqueConstraint(fields=["barcode"], name="tube_barcode_unique"),
        ]
        indexes = [
            models.Index(fields=["batch"], condition=Q(batch__isnull=False), name="tube_batch"),
            models.Index(fields=["team"], condition=Q(team__isnull=False), name="tube_team"),
            models.Index(fields=["parent"], condition=Q(parent__isnull=False), name="tube_parent"),
            models.Index(fields=["round"], condition=Q(result="positive"), name="tube_positive"),
        ]

    def __str__(self) -> str:
        return self.barcode


# Samples whose result a health code waits on: a scheduled test or a
# re-sampling (a round's million samples are neither).
CODE_AWAITS = Q(handoff__isnull=False) | ~Q(purpose=Purpose.ROUND)


class Sample(models.Model):
    """One person's swab (采样) in a tube."""

    # A round writes a million samples at once: no single-column indexes the
    # composite ones cover, and no database constraint on any key. Persons
    # are resolved (scans) or checked (bulk imports) before a sample is
    # written and never deleted (a merge keeps the row); the tube is the one
    # the action has just locked or created; the round is the tube's; the
    # hand-off is one the action has just read. PostgreSQL would check each
    # key per row at commit, an empty one too (10 s for a round's samples).
    # Django still applies on_delete.
    tube = models.ForeignKey(
        Tube, models.CASCADE, related_name="samples", db_index=False, db_constraint=False
    )
    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    # The tube's round, copied for the one-sample-per-person-and-round
    # constraint, whose index also serves every read of a round's samples
    # (they all ask for purpose "round").
    round = models.ForeignKey(
        TestingRound,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.ROUND)
    sampled_at = models.DateTimeField(_("sampled at"))
    # The hand-off this sample fulfils (a scheduled test, a re-sampling).
    handoff = models.ForeignKey(
        "handoffs.Handoff",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["tube_id", "id"]
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person"],
                condition=Q(purpose="round"),
                name="one_round_sample_per_person",
            ),
            models.UniqueConstraint(fields=["tube", "person"], name="one_sample_per_tube_person"),
        ]
        indexes = [
            models.Index(fields=["person", "sampled_at"], name="sample_person_time"),
            # Few samples fulfil a hand-off: the round's million leave it empty.
            models.Index(
                fields=["handoff"], condition=Q(handoff__isnull=False), name="sample_handoff"
            ),
            models.Index(fields=["tube"], condition=CODE_AWAITS, name="sample_code_awaits"),
        ]

    def __str__(self) -> str:
        return f"{self.tube_id}:{self.person_id}"


class ResultImport(models.Model):
    """A lab's result report (by file or API): what was stored and what was refused."""

    lab = models.ForeignKey(Lab, models.PROTECT, related_name="imports")
    via = models.CharField(max_length=16)  # "file", "api", "cli"
    filename = models.CharField(max_length=255, blank=True)
    rows = models.PositiveIntegerField(default=0)
    stored = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    positives = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list)
    submitted_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("result import")
        verbose_name_plural = _("result imports")

    def __str__(self) -> str:
        return f"{self.lab_id} {self.filename or self.via} {self.submitted_at:%Y-%m-%d %H:%M}"
