"""The checkpoints task force's tables (交通管控专班): stations (交通查验站) with
their shifts, the checks made there, and the coast: fishing vessels, their
entry and exit reports (进出港报告), crew health checks and patrols."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StationKind(models.TextChoices):
    PROVINCIAL_BORDER = "provincial_border", _("Provincial border")  # 省界
    CITY_BORDER = "city_border", _("City border")  # 市界
    RAIL_STATION = "rail_station", _("Rail station")  # 动车站
    EXPRESSWAY_EXIT = "expressway_exit", _("Expressway exit")  # 高速路口
    ROAD = "road", _("Road")  # 国省道、乡村道路
    PORT = "port", _("Port")  # 渔港


class Station(models.Model):
    """A traffic checkpoint (交通查验站) or a port, run by its area."""

    name = models.CharField(pgettext_lazy("checkpoint", "name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=StationKind.choices)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="checkpoint_stations", verbose_name=_("area")
    )
    location = models.CharField(_("location"), max_length=255, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="checkpoint_station_name")
        ]
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    """A shift at a station (班次) and the staff on it."""

    station = models.ForeignKey(
        Station, models.CASCADE, related_name="shifts", verbose_name=_("checkpoint")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="checkpoint_shifts", verbose_name=_("staff")
    )

    class Meta:
        ordering = ["station", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="checkpoint_shift_order"
            )
        ]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")

    def __str__(self) -> str:
        return f"{self.station.name} {self.starts_at:%Y-%m-%d %H:%M}"


class CodeColour(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")
    NONE = "none", _("No code shown")


class Outcome(models.TextChoices):
    PASS = "pass", _("Pass")  # 放行
    TESTING = "testing", _("Send to testing")  # 落地检
    TURN_BACK = "turn_back", _("Turn back")  # 劝返
    QUARANTINE = "quarantine", _("Hand to quarantine")  # 转运隔离


class Check(models.Model):
    """One vehicle checked at a station (查验): its plate, its people and the
    decision. ``client_id`` is made by the phone that recorded it, so a check
    sent twice (a poor connection) is stored once."""

    client_id = models.UUIDField(_("client id"), unique=True)
    station = models.ForeignKey(
        Station, models.PROTECT, related_name="checks", verbose_name=_("checkpoint")
    )
    checked_at = models.DateTimeField(_("checked at"))
    # The local day of ``checked_at`` (Asia/Shanghai): the figures count by it.
    day = models.DateField(_("day"))
    plate = models.CharField(_("plate"), max_length=8)
    new_energy = models.BooleanField(_("new-energy plate"), default=False)
    people = models.PositiveSmallIntegerField(_("people"))
    origin_area = models.ForeignKey(
        "places.Area",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("origin"),
    )
    origin_city = models.CharField(_("origin city"), max_length=100, blank=True)
    destination_area = models.ForeignKey(
        "places.Area",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("destination"),
    )
    destination = models.CharField(_("destination"), max_length=100, blank=True)
    code_colour = models.CharField(_("health code"), max_length=8, choices=CodeColour.choices)
    test_age_hours = models.PositiveIntegerField(_("hours since the negative test"), null=True)
    origin_tier = models.CharField(_("tier of the origin"), max_length=16, blank=True)
    destination_tier = models.CharField(_("tier of the destination"), max_length=16, blank=True)
    outcome = models.CharField(_("decision"), max_length=16, choices=Outcome.choices)
    # The reasons as the engine gave them: [{"code", "outcome", "params"}], first deciding.
    reasons = models.JSONField(_("reasons"), default=list)
    protocol = models.CharField(_("protocol"), max_length=32)
    person = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="checkpoint_checks",
        verbose_name=_("person"),
    )
    handoff_key = models.CharField(_("hand-off"), max_length=128, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [
            models.Index(fields=["station", "day"], name="checkpoint_check_station_day"),
            models.Index(fields=["day"], name="checkpoint_check_day"),
        ]
        constraints = [models.CheckConstraint(condition=Q(people__gte=1), name="check_people")]
        verbose_name = _("check")
        verbose_name_plural = _("checks")

    def __str__(self) -> str:
        return f"{self.plate} {self.checked_at:%Y-%m-%d %H:%M}"

    @property
    def waits_for_person(self) -> bool:
        """Handed to quarantine, but nobody named yet: no hand-off made."""
        return self.outcome == Outcome.QUARANTINE and not self.handoff_key


class VesselState(models.TextChoices):
    IN_PORT = "in_port", _("In port")
    AT_SEA = "at_sea", _("At sea")


class Vessel(models.Model):
    """A fishing vessel (渔船), registered at its home port."""

    registration = models.CharField(_("registration"), max_length=32, unique=True)
    name = models.CharField(pgettext_lazy("vessel", "name"), max_length=100, blank=True)
    home_port = models.ForeignKey(
        Station, models.PROTECT, related_name="vessels", verbose_name=_("home port")
    )
    skipper = models.CharField(_("skipper"), max_length=100, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=VesselState.choices, default=VesselState.IN_PORT
    )
    # While at sea: when the exit report said it would be back, and whether
    # the clock has flagged it overdue.
    due_back_at = models.DateTimeField(_("due back at"), null=True, blank=True)
    overdue_since = models.DateTimeField(_("overdue since"), null=True, blank=True)

    class Meta:
        ordering = ["registration"]
        indexes = [models.Index(fields=["state", "due_back_at"], name="vessel_state_due")]
        verbose_name = _("vessel")
        verbose_name_plural = _("vessels")

    def __str__(self) -> str:
        return f"{self.registration} {self.name}".strip()


class Movement(models.TextChoices):
    EXIT = "exit", _("Exit")  # 出港
    ENTRY = "entry", _("Entry")  # 进港


class PortReport(models.Model):
    """A vessel's report of leaving or entering a port (进出港报告)."""

    vessel = models.ForeignKey(
        Vessel, models.PROTECT, related_name="reports", verbose_name=_("vessel")
    )
    port = models.ForeignKey(
        Station, models.PROTECT, related_name="port_reports", verbose_name=_("port")
    )
    movement = models.CharField(_("movement"), max_length=8, choices=Movement.choices)
    at = models.DateTimeField(_("time"))
    crew = models.PositiveSmallIntegerField(_("crew"))
    crew_names = models.TextField(_("crew names"), blank=True)
    due_back_at = models.DateTimeField(_("due back at"), null=True, blank=True)
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("port report")
        verbose_name_plural = _("port reports")

    def __str__(self) -> str:
        return f"{self.vessel.registration} {self.movement} {self.at:%Y-%m-%d %H:%M}"


class CrewCheck(models.Model):
    """The health check of a vessel's crew on landing (上岸渔民卫生防疫)."""

    vessel = models.ForeignKey(
        Vessel, models.PROTECT, related_name="crew_checks", verbose_name=_("vessel")
    )
    port = models.ForeignKey(
        Station, models.PROTECT, related_name="crew_checks", verbose_name=_("port")
    )
    at = models.DateTimeField(_("time"))
    crew_checked = models.PositiveSmallIntegerField(_("crew checked"))
    fever = models.PositiveSmallIntegerField(_("with fever"), default=0)
    sampled = models.PositiveSmallIntegerField(_("sampled for testing"), default=0)
    foreign_contact = models.BooleanField(
        _("contact with foreign people, vessels or goods"), default=False
    )
    notes = models.CharField(_("notes"), max_length=255, blank=True)
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("crew health check")
        verbose_name_plural = _("crew health checks")

    def __str__(self) -> str:
        return f"{self.vessel.registration} {self.at:%Y-%m-%d %H:%M}"


class Patrol(models.Model):
    """A patrol of the coast or the sea from a port (海上、岸线巡查)."""

    port = models.ForeignKey(
        Station, models.PROTECT, related_name="patrols", verbose_name=_("port")
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"))
    route = models.CharField(_("route"), max_length=255)
    vessels_checked = models.PositiveSmallIntegerField(_("vessels checked"), default=0)
    findings = models.TextField(_("findings"), blank=True)
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gt=models.F("started_at")), name="patrol_order"
            )
        ]
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")

    def __str__(self) -> str:
        return f"{self.port.name} {self.started_at:%Y-%m-%d %H:%M}"
