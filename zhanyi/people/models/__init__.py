"""The person index: persons, households and the source records behind them.

A source record (a row of a pushed list, a lab report, an interview) is kept as
it arrived and linked to a person; it is never overwritten. Merging two persons
moves the loser's records to the survivor and can be undone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhanyi.people.tails import Tail


class IdentityType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO_PERMIT = "hk_macao_permit", _("Mainland travel permit for HK/Macao residents")
    TAIWAN_PERMIT = "taiwan_permit", _("Mainland travel permit for Taiwan residents")
    OTHER = "other", _("Other document")


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNKNOWN = "unknown", _("Unknown")


class Household(models.Model):
    """A household (户): the people who live at one address."""

    external_id = models.BigIntegerField(null=True, blank=True, unique=True)
    address = models.CharField(_("address"), max_length=255)
    village = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="households", verbose_name=_("village")
    )
    grid = models.ForeignKey(
        "places.Area",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("grid"),
    )
    place = models.ForeignKey(
        "places.Place",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("residential compound"),
    )
    cell_id = models.IntegerField(_("home grid cell"), null=True, blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.address


class Person(models.Model):
    """A person in the index (人员)."""

    external_id = models.BigIntegerField(null=True, blank=True, unique=True)
    identity_type = models.CharField(
        _("identity document"),
        max_length=32,
        choices=IdentityType.choices,
        default=IdentityType.RESIDENT_ID,
    )
    identity_number = models.CharField(_("identity number"), max_length=32, blank=True)
    # ISO 3166-1 alpha-3 of the document's issuer (CHN for a resident card).
    nationality = models.CharField(_("nationality"), max_length=3, blank=True)
    name = models.CharField(_("name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    household = models.ForeignKey(
        Household,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    village = models.ForeignKey(
        "places.Area",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("village"),
    )
    # A merged person stays in the table so the merge can be undone; it points
    # at the survivor and drops out of every list.
    merged_into = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        # Searches by the last digits use two more indexes, on PostgreSQL only,
        # on reverse(identity_number) and reverse(phone): see people/tails.py.
        indexes = [
            models.Index(fields=["identity_number"]),
            models.Index(fields=["name"]),
            models.Index(fields=["phone"]),
        ]
        constraints = [
            # One live person per document; merged records keep their number.
            models.UniqueConstraint(
                fields=["identity_type", "identity_number"],
                condition=Q(merged_into__isnull=True) & ~Q(identity_number=""),
                name="one_live_person_per_document",
            )
        ]

    def __str__(self) -> str:
        return self.name


# ``identity_number__tail`` / ``phone__tail``: search by the last digits (尾号)
# through the indexes on the reversed values (see people/tails.py).
Person._meta.get_field("identity_number").register_lookup(Tail)
Person._meta.get_field("phone").register_lookup(Tail)


class SourceRecord(models.Model):
    """A record about a person as it arrived from a source, never overwritten."""

    class Source(models.TextChoices):
        SYNTHETIC = "synthetic", _("Synthetic city")
        MANUAL = "manual", _("Entered by hand")
        PUSH_LIST = "push_list", _("Pushed list")
        LAB = "lab", _("Laboratory")
        INTERVIEW = "interview", _("Interview")
        IMPORT = "import", _("File import")
        REGISTER = "register", _("Population register")

    person = models.ForeignKey(
        Person, models.PROTECT, related_name="source_records", verbose_name=_("person")
    )
    source = models.CharField(_("source"), max_length=32, choices=Source.choices)
    source_ref = models.CharField(_("source reference"), max_length=255, blank=True)
    payload = models.JSONField(_("record as received"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("source record")
        verbose_name_plural = _("source records")

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.source_ref}".strip()


class PersonMerge(models.Model):
    """Two persons found to be one: what moved, so that it can be undone."""

    survivor = models.ForeignKey(Person, models.PROTECT, related_name="merges_won")
    merged = models.ForeignKey(Person, models.PROTECT, related_name="merges_lost")
    moved = models.JSONField(default=dict)  # {"source_records": [ids], ...}
    reason = models.CharField(_("reason"), max_length=255)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("merged by")
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"


class PersonChange(models.Model):
    """One entry of a person's history (变更记录): created, or fields changed.

    ``changes`` maps each changed field to ``[old, new]`` as shown to people
    (dates in ISO form, a village by its name and code). History stays with the
    person it describes: a merge does not move it.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")

    person = models.ForeignKey(
        Person, models.PROTECT, related_name="changes", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    changes = models.JSONField(_("changes"), default=dict)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    source_record = models.ForeignKey(
        SourceRecord,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source record"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_by_name = models.CharField(_("changed by"), max_length=150, blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("person change")
        verbose_name_plural = _("person changes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person_id}"


from .health_codes import (  # noqa: E402
    Colour,
    DecidedBy,
    HealthCode,
    HealthCodeChange,
    HealthCodeOverride,
)
from .register import RegisterKind, RegisterLoad, RegisterMapping, RegisterReview  # noqa: E402

__all__ = [
    "Colour",
    "DecidedBy",
    "HealthCode",
    "HealthCodeChange",
    "HealthCodeOverride",
    "Household",
    "IdentityType",
    "Person",
    "PersonChange",
    "PersonMerge",
    "RegisterKind",
    "RegisterLoad",
    "RegisterMapping",
    "RegisterReview",
    "Sex",
    "SourceRecord",
]
