"""The teams that do the work (工作队): tracing teams, five-to-one teams, sampling teams.

The article counts 30 city tracing teams (市流调队), 91 county teams of 493
people (县区流调队) and 6,443 tracing assistants in the villages (村居流调协查员);
each village's five-to-one team (五包一) of a township cadre, a village cadre,
a medic, a grid worker and a police officer finds every pushed person within
two hours and puts every contact under control first (先管后筛); sampling
teams (采样队) take the swabs.

A team works in one area (its ``area``: the city, a county, a village) and on
a shift. Its members are accounts (a user who logs in) or only a name and a
phone; one of them leads. A person can be in several teams: each membership is
a row. Training records belong to the membership.

Teams sit below the task-force apps: tracing assigns cases to tracing teams,
screening names the five-to-one team of a task's village, and the control
list (``ControlRecord``, the closing of ``control`` hand-offs) is the village
team's own work. A team's open work from the apps above reaches its page
through ``zhanyi.teams.work``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TeamKind(models.TextChoices):
    CITY_TRACING = "city_tracing", _("City tracing team")  # 市流调队
    COUNTY_TRACING = "county_tracing", _("County tracing team")  # 县区流调队
    TRACING_ASSISTANTS = "tracing_assistants", _("Village tracing assistants")  # 流调协查员
    FIVE_TO_ONE = "five_to_one", _("Five-to-one team")  # 五包一
    SAMPLING = "sampling", _("Sampling team")  # 采样队


#: The kinds a case can be assigned to (an investigation is theirs).
TRACING_KINDS = (TeamKind.CITY_TRACING, TeamKind.COUNTY_TRACING)


class Shift(models.TextChoices):
    DAY = "day", _("Day shift")
    NIGHT = "night", _("Night shift")
    ROUND_THE_CLOCK = "round_the_clock", _("Round the clock")


class MemberRole(models.TextChoices):
    TOWNSHIP_CADRE = "township_cadre", _("Township cadre")  # 乡镇干部
    VILLAGE_CADRE = "village_cadre", _("Village cadre")  # 村居干部
    MEDIC = "medic", _("Medic")  # 医务人员
    GRID_WORKER = "grid_worker", _("Grid worker")  # 网格员
    POLICE = "police", _("Police officer")  # 民警
    TRACER = "tracer", _("Tracer")  # 流调员
    ASSISTANT = "assistant", _("Tracing assistant")  # 流调协查员
    SAMPLER = "sampler", _("Sampler")  # 采样员


#: The five of a five-to-one team (五包一), in the article's order.
FIVE_TO_ONE_ROLES = (
    MemberRole.TOWNSHIP_CADRE,
    MemberRole.VILLAGE_CADRE,
    MemberRole.MEDIC,
    MemberRole.GRID_WORKER,
    MemberRole.POLICE,
)


class Team(models.Model):
    """A team (工作队) of one kind, working in one area on one shift."""

    name = models.CharField(pgettext_lazy("object", "name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=TeamKind.choices)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="teams", verbose_name=_("area")
    )
    shift = models.CharField(
        _("shift"), max_length=16, choices=Shift.choices, default=Shift.ROUND_THE_CLOCK
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by_name = models.CharField(_("created by"), max_length=150, blank=True)

    class Meta:
        ordering = ["area__path", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="team_name_in_area")]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """A person's place in a team: an account, or a name and a phone."""

    team = models.ForeignKey(Team, models.CASCADE, related_name="members", verbose_name=_("team"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="team_memberships",
        verbose_name=_("account"),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    role = models.CharField(_("role in the team"), max_length=16, choices=MemberRole.choices)
    is_leader = models.BooleanField(_("leader"), default=False)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        ordering = ["team_id", "-is_leader", "role", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"], condition=Q(user__isnull=False), name="member_once"
            ),
            models.UniqueConstraint(
                fields=["team"], condition=Q(is_leader=True), name="one_leader_per_team"
            ),
        ]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class Training(models.Model):
    """A course a member took (培训), when, and whether they passed."""

    member = models.ForeignKey(
        TeamMember, models.CASCADE, related_name="trainings", verbose_name=_("member")
    )
    course = models.CharField(_("course"), max_length=100)
    taken_on = models.DateField(_("date"))
    passed = models.BooleanField(_("passed"), default=False)
    recorded_by_name = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-taken_on", "id"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")

    def __str__(self) -> str:
        return f"{self.course} {self.taken_on:%Y-%m-%d}"


class ControlMeasure(models.TextChoices):
    HOME = "home", _("Controlled at home")  # 居家管控
    CENTRALISED_REQUESTED = "centralised_requested", _("Centralised quarantine requested")
    NOT_FOUND = "not_found", _("Not found")


class ControlRecord(models.Model):
    """The village team's record of one ``control`` hand-off (先管后筛): its
    escalation when overdue, and the measure taken with its time when closed.

    The hand-off itself (``zhanyi.handoffs``) stays the list's row; this record
    exists once something happened to it.
    """

    handoff = models.OneToOneField(
        "handoffs.Handoff",
        models.PROTECT,
        related_name="control_record",
        verbose_name=_("hand-off"),
    )
    measure = models.CharField(
        _("measure"), max_length=24, choices=ControlMeasure.choices, blank=True
    )
    measured_at = models.DateTimeField(_("measure taken at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    closed_by_name = models.CharField(_("closed by"), max_length=150, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        "places.Area",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalated to"),
    )

    class Meta:
        ordering = ["handoff_id"]
        verbose_name = _("control record")
        verbose_name_plural = _("control records")

    def __str__(self) -> str:
        return f"{self.handoff_id} {self.measure or '-'}"
