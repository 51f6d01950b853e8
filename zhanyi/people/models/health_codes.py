"""Health codes (健康码): each person's current code, its history and manual overrides.

A person with no ``HealthCode`` row has never had anything but green: rows are
written only when a rule or an override first gives a person another colour,
so a city of five million does not need five million rows to say "green".

Every change of a code (colour, rule, until or whether an override decided
it) appends a ``HealthCodeChange``; nothing is ever rewritten. A manual
override (人工转码) is requested with a reason, approved by a second person
holding ``approve``, and expires; while it is in force it decides the code,
afterwards the rules do again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Colour(models.TextChoices):
    RED = "red", _("Red")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")


class DecidedBy(models.TextChoices):
    RULE = "rule", _("Rule")
    OVERRIDE = "override", _("Override")


class HealthCode(models.Model):
    """A person's current health code (健康码)."""

    # No database constraint on the person: a contact graph's recompute
    # writes hundreds of thousands of codes in one transaction, and
    # PostgreSQL checks each deferred foreign key row by row at commit (about
    # 10 µs a row). ``do_recompute_codes`` refuses an id that is not a person
    # before it writes; persons are never deleted (a merge moves the row,
    # Django keeps on_delete), and ``zhanyi integrity`` reports any id that
    # points at nothing.
    person = models.OneToOneField(
        "people.Person",
        models.PROTECT,
        primary_key=True,
        related_name="health_code",
        verbose_name=_("person"),
        db_constraint=False,
    )
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices)
    rule = models.CharField(_("rule"), max_length=64)
    reason = models.CharField(_("reason"), max_length=500)
    until = models.DateTimeField(_("until"), null=True, blank=True)
    # When the rules may give another answer by the clock alone: the scheduler
    # (``zhanyi codes refresh``) decides again then.
    review_at = models.DateTimeField(_("review at"), null=True, blank=True)
    decided_by = models.CharField(
        _("decided by"), max_length=8, choices=DecidedBy.choices, default=DecidedBy.RULE
    )
    # Not indexed: no query looks codes up by override (overrides are read
    # by person, and never deleted).
    override = models.ForeignKey(
        "people.HealthCodeOverride",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("override"),
        db_index=False,
    )
    changed_at = models.DateTimeField(_("changed at"))
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("health code")
        verbose_name_plural = _("health codes")
        indexes = [
            models.Index(fields=["colour"], name="health_code_colour"),
            models.Index(fields=["review_at"], name="health_code_review"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.colour}"


class HealthCodeChange(models.Model):
    """One change of a person's health code (转码记录), kept for ever."""

    # No index of its own: the (person, -changed_at) index below serves every
    # lookup by person, and a city's recompute writes one index fewer. No
    # database constraint, for the reason given at ``HealthCode.person``.
    person = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        related_name="health_code_changes",
        verbose_name=_("person"),
        db_index=False,
        db_constraint=False,
    )
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices)
    previous_colour = models.CharField(_("previous colour"), max_length=8, choices=Colour.choices)
    rule = models.CharField(_("rule"), max_length=64)
    reason = models.CharField(_("reason"), max_length=500)
    until = models.DateTimeField(_("until"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=8, choices=DecidedBy.choices)
    # Override and user are not indexed: the history is read by person, and
    # each index costs every row of a city's recompute.
    override = models.ForeignKey(
        "people.HealthCodeOverride",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("override"),
        db_index=False,
    )
    # Why the code was decided again: "tracing: contacts of case 12", "refresh".
    trigger = models.CharField(_("trigger"), max_length=255)
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
        db_index=False,
    )
    changed_by_name = models.CharField(_("changed by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("health-code change")
        verbose_name_plural = _("health-code changes")
        indexes = [
            models.Index(fields=["person", "-changed_at"], name="health_code_change_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.previous_colour} → {self.colour}"


class HealthCodeOverride(models.Model):
    """A manual override of a health code (人工转码), reviewed by a second person."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("In force")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")
        ENDED = "ended", _("Ended early")

    person = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        related_name="health_code_overrides",
        verbose_name=_("person"),
    )
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices)
    reason = models.CharField(_("reason"), max_length=500)
    expires_at = models.DateTimeField(_("expires at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or rejected by"),
    )
    decided_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("health-code override")
        verbose_name_plural = _("health-code overrides")
        indexes = [
            models.Index(fields=["status", "expires_at"], name="health_code_override_open"),
        ]
        constraints = [
            # One override in force per person at a time.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="approved"),
                name="one_override_in_force_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.colour} ({self.status})"
