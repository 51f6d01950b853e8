"""Headquarters (指挥部) and their task forces (专班)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskForceKind(models.TextChoices):
    """The ten task forces of the article's zone headquarters."""

    COORDINATION = "coordination", _("Coordination")  # 综合协调
    LOCKDOWN = "lockdown", _("Lockdown")  # 封控
    INVESTIGATION = "investigation", _("Epidemiological investigation")  # 流调
    TESTING = "testing", _("Nucleic-acid testing")  # 核酸检测
    QUARANTINE = "quarantine", _("Quarantine")  # 隔离
    TRANSFER = "transfer", _("Transfer")  # 转运
    COMMUNITY = "community", _("Community control")  # 社区管控
    LOGISTICS = "logistics", _("Logistics")  # 保障
    SUPERVISION = "supervision", _("Supervision")  # 督查
    PUBLIC_OPINION = "public_opinion", _("Public opinion")  # 舆情


class Headquarters(models.Model):
    """A command headquarters (战疫指挥部) over an area: the city's or a zone's."""

    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        "places.Area", models.PROTECT, related_name="headquarters", verbose_name=_("area")
    )
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children"
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("headquarters")
        verbose_name_plural = _("headquarters")

    def __str__(self) -> str:
        return self.name


class TaskForce(models.Model):
    """A task force (专班) of a headquarters, led by a city leader."""

    headquarters = models.ForeignKey(
        Headquarters, models.CASCADE, related_name="task_forces", verbose_name=_("headquarters")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=TaskForceKind.choices)
    lead = models.CharField(_("lead"), max_length=100, blank=True)

    class Meta:
        # Creation order is the article's order of the ten task forces.
        ordering = ["headquarters_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["headquarters", "kind"], name="one_task_force_per_kind")
        ]
        verbose_name = _("task force")
        verbose_name_plural = _("task forces")

    def __str__(self) -> str:
        return f"{self.headquarters.name} · {self.get_kind_display()}"
