"""Risk zones (分区分级) and the history of every decision on them.

A zone has a tier (``zhanyi.places.risk.Tier``: sealed zone 封控区, controlled
zone 管控区, prevention zone 防范区, high-/medium-risk area 中/高风险地区), an
extent (areas of the tree, places such as a residential compound, and an
optional drawn polygon), a reason, who proposed and who approved it, and when
it took force and lifted. Only an approved zone in force has any effect.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanyi.places.risk import Tier


class ZoneState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    IN_FORCE = "in_force", _("In force")
    LIFTED = "lifted", _("Lifted")
    REJECTED = "rejected", _("Rejected")


class Zone(models.Model):
    """A risk zone (风险区域) of one tier over areas and places."""

    name = models.CharField(pgettext_lazy("of a thing", "name"), max_length=200)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=ZoneState.choices, default=ZoneState.PROPOSED
    )
    reason = models.TextField(_("reason"))
    # The smallest area holding the whole extent: the jurisdiction that sees it.
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("responsible area")
    )
    areas = models.ManyToManyField(
        "places.Area", related_name="zones", blank=True, verbose_name=_("areas")
    )
    places = models.ManyToManyField(
        "places.Place", related_name="zones", blank=True, verbose_name=_("places")
    )
    # A drawn outline (GeoJSON Polygon or MultiPolygon geometry), shown on the map.
    polygon = models.JSONField(_("drawn outline"), null=True, blank=True)
    protocol = models.CharField(_("protocol"), max_length=64)
    # "cases:12,13" for a proposal from the data; "" for one drawn by hand.
    source = models.CharField(_("source"), max_length=255, blank=True)
    proposed_at = models.DateTimeField(_("proposed at"))
    proposed_by_name = models.CharField(_("proposed by"), max_length=150)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by_name = models.CharField(_("approved by"), max_length=150, blank=True)
    starts_at = models.DateTimeField(_("in force from"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by_name = models.CharField(_("lifted by"), max_length=150, blank=True)
    # Set by the periodic check when the tier's lifting criteria hold.
    ready_since = models.DateTimeField(_("ready to step down since"), null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "id"]
        indexes = [models.Index(fields=["state", "tier"], name="zone_state_tier")]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return f"{self.get_tier_display()} · {self.name}"


class ZoneEventKind(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved, in force")
    REJECTED = "rejected", _("Rejected")
    STEPPED_DOWN = "stepped_down", _("Stepped down")
    LIFTED = "lifted", pgettext_lazy("zone event", "Lifted")
    READY = "ready", _("Lifting criteria met")


class ZoneEvent(models.Model):
    """One change of a zone's state or tier (its history), with who and why."""

    zone = models.ForeignKey(Zone, models.CASCADE, related_name="events", verbose_name=_("zone"))
    kind = models.CharField(_("event"), max_length=16, choices=ZoneEventKind.choices)
    at = models.DateTimeField(_("at"))
    by_name = models.CharField(_("by"), max_length=150)
    from_tier = models.CharField(_("from tier"), max_length=16, choices=Tier.choices, blank=True)
    to_tier = models.CharField(_("to tier"), max_length=16, choices=Tier.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The public notice (通告) drafted from this decision, in the reader's language.
    notice = models.TextField(_("public notice"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("zone event")
        verbose_name_plural = _("zone events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"
