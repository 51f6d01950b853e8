"""The quarantine task force's tables (隔离转运专班): sites and rooms, the
county twinning its sites follow, placements of people in rooms, and the
health checks of people in a site."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SiteKind(models.TextChoices):
    HOTEL = "hotel", _("Hotel")
    CABIN = "cabin", _("Modular cabins")  # 隔离方舱
    OTHER = "other", _("Other")


class SiteState(models.TextChoices):
    ACTIVE = "active", _("Active")
    RESERVE = "reserve", _("Reserve")  # 储备
    CLOSED = "closed", pgettext_lazy("quarantine site", "Closed")


#: The three-zones-two-passages checklist (三区两通道), item → label.
ZONE_ITEMS = {
    "clean_zone": _("Clean zone"),
    "buffer_zone": _("Buffer zone"),
    "contaminated_zone": _("Contaminated zone"),
    "staff_passage": _("Staff passage"),
    "resident_passage": _("Passage for the people quarantined"),
}


class Site(models.Model):
    """A centralised quarantine site (集中隔离点): a hotel, cabins or another building,
    run by its area."""

    name = models.CharField(pgettext_lazy("quarantine site", "name"), max_length=200)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="quarantine_sites", verbose_name=_("area")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    kind = models.CharField(_("kind"), max_length=16, choices=SiteKind.choices)
    state = models.CharField(_("state"), max_length=16, choices=SiteState.choices)
    staff_on_duty = models.PositiveIntegerField(_("staff on duty"), default=0)
    # 三区两通道: each item of ZONE_ITEMS → checked in place (true/false).
    zones_checklist = models.JSONField(_("three zones, two passages"), default=dict, blank=True)
    zones_checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    zones_checked_by_name = models.CharField(_("checked by"), max_length=150, blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("quarantine site")
        verbose_name_plural = _("quarantine sites")

    def __str__(self) -> str:
        return self.name

    @property
    def zones_complete(self) -> bool:
        return all(self.zones_checklist.get(item) for item in ZONE_ITEMS)


class RoomState(models.TextChoices):
    VACANT = "vacant", _("Vacant")
    OCCUPIED = "occupied", _("Occupied")
    CLEANING = "cleaning", _("Cleaning")
    OUT_OF_SERVICE = "out_of_service", _("Out of service")


class Room(models.Model):
    """A room of a site: one person, or a family room for a parent and young children."""

    site = models.ForeignKey(Site, models.CASCADE, related_name="rooms", verbose_name=_("site"))
    number = models.CharField(_("room number"), max_length=16)
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=1)
    state = models.CharField(
        _("state"), max_length=16, choices=RoomState.choices, default=RoomState.VACANT
    )

    class Meta:
        ordering = ["site", "number"]
        constraints = [
            models.UniqueConstraint(fields=["site", "number"], name="quarantine_room_number"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=4), name="quarantine_room_capacity"
            ),
        ]
        indexes = [models.Index(fields=["site", "state"])]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self) -> str:
        return f"{self.site.name} {self.number}"


class Twinning(models.Model):
    """A county whose people go to its twin's sites (结对) when its own are full."""

    county = models.OneToOneField(
        "places.Area", models.CASCADE, related_name="quarantine_twinning", verbose_name=_("county")
    )
    twin = models.ForeignKey(
        "places.Area", models.CASCADE, related_name="+", verbose_name=_("twinned county")
    )

    class Meta:
        verbose_name = _("twinning")
        verbose_name_plural = _("twinnings")

    def __str__(self) -> str:
        return f"{self.county_id} → {self.twin_id}"


class ContactKind(models.TextChoices):
    """Whose rules the placement follows (the protocol's [quarantine] and [release])."""

    CLOSE = "close", _("Close contact")
    SECONDARY = "secondary", _("Secondary contact")


class PlacementState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    PLACED = "placed", pgettext_lazy("placement", "In quarantine")
    RELEASED = "released", _("Released")
    POSITIVE = "positive", _("Tested positive")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STATES = (PlacementState.PROPOSED, PlacementState.PLACED)


class Placement(models.Model):
    """A person in a room of a site (安置): proposed by the planner or a desk,
    confirmed, then released (or ended by a positive test)."""

    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="placements", verbose_name=_("person")
    )
    # The area responsible for the person (the hand-off's): whose jurisdiction sees it.
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    handoff = models.ForeignKey(
        "handoffs.Handoff",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hand-off"),
    )
    site = models.ForeignKey(
        Site, models.PROTECT, related_name="placements", verbose_name=_("site")
    )
    room = models.ForeignKey(
        Room, models.PROTECT, related_name="placements", verbose_name=_("room")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=PlacementState.choices, default=PlacementState.PROPOSED
    )
    kind = models.CharField(_("contact kind"), max_length=16, choices=ContactKind.choices)
    days = models.PositiveSmallIntegerField(_("days of centralised quarantine"))
    identified_at = models.DateTimeField(_("identified at"))
    due_at = models.DateTimeField(_("to be placed by"))
    # The first day of quarantine (local midnight): days and test days count from it.
    starts_at = models.DateTimeField(_("quarantine starts"))
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    placed_at = models.DateTimeField(_("placed at"), null=True, blank=True)
    placed_by_name = models.CharField(_("placed by"), max_length=150, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by_name = models.CharField(_("ended by"), max_length=150, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            # Two desks placing one person at the same moment: one insert wins.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state__in=["proposed", "placed"]),
                name="quarantine_one_active_placement",
            )
        ]
        indexes = [models.Index(fields=["site", "state"]), models.Index(fields=["state"])]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self) -> str:
        return f"{self.person_id} · {self.room}"


class HealthCheck(models.Model):
    """A health check of a person in a site (twice a day): temperature and symptoms."""

    placement = models.ForeignKey(
        Placement, models.CASCADE, related_name="health_checks", verbose_name=_("placement")
    )
    checked_at = models.DateTimeField(_("checked at"))
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    symptoms = models.CharField(_("symptoms"), max_length=255, blank=True)
    checked_by_name = models.CharField(_("checked by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-checked_at"]
        verbose_name = _("health check")
        verbose_name_plural = _("health checks")

    def __str__(self) -> str:
        return f"{self.placement_id} · {self.temperature} °C"


class MonitoringKind(models.TextChoices):
    HOME_QUARANTINE = "home_quarantine", _("Home quarantine")  # 居家隔离
    HOME_HEALTH_MONITORING = "home_health_monitoring", _("Home health monitoring")  # 居家健康监测


class Monitoring(models.Model):
    """Home quarantine or home health monitoring (居家隔离 / 居家健康监测) of one
    person: the village team's visits and the person's own reports, through a
    link (``token``) or a short code, both valid until ``ends_at``."""

    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="monitorings", verbose_name=_("person")
    )
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=MonitoringKind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    placement = models.ForeignKey(
        Placement,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("placement"),
    )
    token = models.CharField(max_length=64, unique=True)
    code = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["ends_at", "id"]
        indexes = [models.Index(fields=["ends_at"])]
        verbose_name = _("home monitoring")
        verbose_name_plural = _("home monitoring")

    def __str__(self) -> str:
        return f"{self.person_id} · {self.get_kind_display()}"


class SelfReport(models.Model):
    """A temperature and symptoms reported by the person (自报) or found on the
    village team's visit."""

    monitoring = models.ForeignKey(
        Monitoring, models.CASCADE, related_name="reports", verbose_name=_("home monitoring")
    )
    reported_at = models.DateTimeField(_("reported at"))
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    symptoms = models.CharField(_("symptoms"), max_length=255, blank=True)
    by_visit = models.BooleanField(_("on a visit"), default=False)

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.monitoring_id} · {self.temperature} °C"


class Vehicle(models.Model):
    """A vehicle for point-to-point transfer (点对点转运), its seats, driver and base."""

    plate = models.CharField(_("plate"), max_length=16, unique=True)
    seats = models.PositiveSmallIntegerField(_("seats"))
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    driver = models.ForeignKey(
        "accounts.User",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="quarantine_vehicles",
        verbose_name=_("driver"),
    )
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))

    class Meta:
        ordering = ["plate"]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")

    def __str__(self) -> str:
        return self.plate


class TripState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("Under way")
    DONE = "done", _("Delivered")


class Trip(models.Model):
    """A round of one vehicle: pick people up at home, deliver them to one site."""

    vehicle = models.ForeignKey(
        Vehicle, models.PROTECT, related_name="trips", verbose_name=_("vehicle")
    )
    site = models.ForeignKey(Site, models.PROTECT, related_name="trips", verbose_name=_("site"))
    state = models.CharField(
        _("state"), max_length=16, choices=TripState.choices, default=TripState.PLANNED
    )
    sequence = models.PositiveIntegerField(_("order of the vehicle's trips"), default=0)
    planned_hours = models.FloatField(_("planned hours"), default=0)
    started_at = models.DateTimeField(pgettext_lazy("trip", "started at"), null=True, blank=True)
    delivered_at = models.DateTimeField(
        pgettext_lazy("trip", "delivered at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["vehicle", "sequence", "id"]
        verbose_name = _("trip")
        verbose_name_plural = _("trips")

    def __str__(self) -> str:
        return f"{self.vehicle} → {self.site}"


class TripStop(models.Model):
    """One person picked up on a trip (a household's people share the stop's order)."""

    trip = models.ForeignKey(Trip, models.CASCADE, related_name="stops", verbose_name=_("trip"))
    order = models.PositiveSmallIntegerField(_("order"))
    placement = models.OneToOneField(
        Placement, models.PROTECT, related_name="trip_stop", verbose_name=_("placement")
    )
    picked_up_at = models.DateTimeField(_("picked up at"), null=True, blank=True)

    class Meta:
        ordering = ["trip", "order", "id"]
        verbose_name = _("stop")
        verbose_name_plural = _("stops")

    def __str__(self) -> str:
        return f"{self.trip_id} #{self.order}"
