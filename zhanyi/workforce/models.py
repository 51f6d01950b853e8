"""People in the field (力量): headcounts deployed by area and shift, mutual-aid
teams arriving and leaving, temporary party branches and their posts, and the
rosters that say who is on which shift where.

Headcounts, not people: the article's 18,214 cadres and 370,000 volunteer
person-times are counted where they serve (``Deployment``); named people appear
only on the rosters a post sends (``RosterEntry``). The tracing teams and the
five-to-one teams (五包一) are other apps' business."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ForceKind(models.TextChoices):
    SAMPLING = "sampling", _("Sampling medics")  # 采样医务人员
    QUARANTINE_SITE = "quarantine_site", _("Quarantine site staff")  # 隔离点医务人员
    CLINIC = "clinic", _("Clinic staff")  # 发热门诊医务人员
    LAB = "lab", _("Laboratory staff")  # 检验人员
    VOLUNTEER = "volunteer", _("Volunteers")  # 志愿者
    CADRE = "cadre", _("Cadres")  # 机关干部
    POLICE = "police", _("Police")  # 公安干警


#: The health workers (卫技人员) among the kinds.
HEALTH_KINDS = (ForceKind.SAMPLING, ForceKind.QUARANTINE_SITE, ForceKind.CLINIC, ForceKind.LAB)


class Shift(models.TextChoices):
    DAY = "day", _("Day shift")  # 白班
    NIGHT = "night", _("Night shift")  # 夜班
    ALL_DAY = "all_day", _("Around the clock")  # 全天


class Deployment(models.Model):
    """People of one kind deployed in an area (力量部署): how many, where they
    serve, on which shift, from when until when (open: still there)."""

    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    kind = models.CharField(_("kind of force"), max_length=32, choices=ForceKind.choices)
    headcount = models.PositiveIntegerField(_("headcount"))
    post = models.CharField(_("where they serve"), max_length=200, blank=True)
    shift = models.CharField(_("shift"), max_length=16, choices=Shift.choices)
    since = models.DateTimeField(_("since"))
    until = models.DateTimeField(_("until"), null=True, blank=True)
    created_by_name = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-since", "-id"]
        indexes = [models.Index(fields=["kind", "since"])]
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.headcount}"


class Direction(models.TextChoices):
    ARRIVING = "arriving", _("Arriving to help us")  # 外地支援我市
    LEAVING = "leaving", _("Sent to help elsewhere")  # 外派支援


class MutualAidTeam(models.Model):
    """A mutual-aid team (对口支援队伍): arriving to help the city or sent to help
    elsewhere; ``started_at`` when it arrived or left, ``ended_at`` when it went
    home or came back."""

    name = models.CharField(_("team name"), max_length=200)
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    kind = models.CharField(_("kind of force"), max_length=32, choices=ForceKind.choices)
    headcount = models.PositiveIntegerField(_("headcount"))
    counterpart = models.CharField(_("from or to"), max_length=200)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("our area")
    )
    started_at = models.DateTimeField(_("arrived or left at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("went home or came back at"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("mutual-aid team")
        verbose_name_plural = _("mutual-aid teams")

    def __str__(self) -> str:
        return self.name


class PartyBranch(models.Model):
    """A temporary party branch at the front (战疫一线临时党支部) and the party
    member posts (党员先锋岗) it keeps."""

    name = models.CharField(_("branch name"), max_length=200)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    members = models.PositiveIntegerField(_("party members"), default=0)
    posts = models.PositiveIntegerField(_("party member posts"), default=0)
    established_at = models.DateTimeField(_("established at"))
    dissolved_at = models.DateTimeField(_("dissolved at"), null=True, blank=True)

    class Meta:
        ordering = ["area__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="workforce_branch_unique_name")
        ]
        verbose_name = _("temporary party branch")
        verbose_name_plural = _("temporary party branches")

    def __str__(self) -> str:
        return self.name


class RosterImport(models.Model):
    """One roster file imported: what was stored, the warnings and refusals by
    row, and the error file (the refused rows with their problem) to send back."""

    filename = models.CharField(_("file"), max_length=255)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    stored = models.PositiveIntegerField(_("stored"), default=0)
    problems = models.JSONField(_("problems"), default=list)
    error_file = models.BinaryField(null=True, blank=True)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", null=True, verbose_name=_("area")
    )
    created_by_name = models.CharField(_("imported by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self) -> str:
        return self.filename


class RosterEntry(models.Model):
    """One person on one shift of one day at one post (排班表)."""

    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    unit = models.CharField(_("work unit"), max_length=200, blank=True)
    kind = models.CharField(_("kind of force"), max_length=32, choices=ForceKind.choices)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="+", verbose_name=_("area")
    )
    post = models.CharField(_("where they serve"), max_length=200, blank=True)
    day = models.DateField(_("day"))
    shift = models.CharField(_("shift"), max_length=16, choices=Shift.choices)
    source = models.ForeignKey(
        RosterImport, models.SET_NULL, null=True, blank=True, related_name="entries"
    )

    class Meta:
        ordering = ["day", "shift", "area__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "phone", "day", "shift"], name="workforce_roster_once_a_shift"
            )
        ]
        indexes = [models.Index(fields=["day", "shift"])]
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")

    def __str__(self) -> str:
        return f"{self.day} {self.shift} · {self.post}"
