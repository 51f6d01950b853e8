"""Users with a role and a jurisdiction, the organisation they belong to
(headquarters and their task forces), and the demo database's markers."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMANDER = "commander", _("Commander")
    STAFF = "staff", _("Task-force staff")
    FIELD = "field", _("Five-to-one team member")  # 五包一 village team
    LEADER = "leader", _("Leader (read only)")
    ADMIN = "admin", _("Administrator")


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
    """A command headquarters (战疫指挥部) over an area: the city's or a zone's.

    The organisation users belong to, so it lives with them; setting one up and
    its work (the dashboard, directives) are the ``command`` app's."""

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


class User(AbstractUser):
    """A person who uses zhanyi; sees only the area subtree of ``jurisdiction``."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.LEADER)
    task_force = models.ForeignKey(
        TaskForce,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("task force"),
    )
    jurisdiction = models.ForeignKey(
        "places.Area",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("jurisdiction"),
        help_text=_("The area this user works in; the user sees this area and below."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class DemoDatabase(models.Model):
    """Marks this database as a demo (演示) database: at most one row.

    Demo accounts with printed passwords may only exist where this row exists;
    ``zhanyi.accounts.demo`` refuses to create them otherwise, and a production
    start refuses a database that has them.
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    seed = models.BigIntegerField(_("seed"))
    scale = models.CharField(_("scale"), max_length=32)

    class Meta:
        verbose_name = _("demo database marker")
        verbose_name_plural = _("demo database markers")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="demo_database_singleton")
        ]

    def __str__(self) -> str:
        return f"demo seed={self.seed} scale={self.scale}"


class DemoAccount(models.Model):
    """A user created by ``create_demo_accounts``; production refuses to start with any."""

    user = models.OneToOneField(User, models.CASCADE, related_name="demo_account")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("demo account")
        verbose_name_plural = _("demo accounts")

    def __str__(self) -> str:
        return self.user.username


class StaffImport(models.Model):
    """One staff spreadsheet loaded (人员批量导入): what it held, what became of it,
    and the refused rows as sent with what to fix (``error_file``, xlsx).

    The set-password links made for new accounts are never stored: they are
    shown once, to whoever loaded the file."""

    filename = models.CharField(_("file"), max_length=255)
    area = models.ForeignKey(
        "places.Area",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("area"),
        help_text=_("The jurisdiction of whoever loaded it; none from the command line."),
    )
    created_by_name = models.CharField(_("loaded by"), max_length=150)
    created_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("accounts created"), default=0)
    updated = models.PositiveIntegerField(_("accounts updated"), default=0)
    unchanged = models.PositiveIntegerField(_("accounts unchanged"), default=0)
    refused = models.PositiveIntegerField(_("rows refused"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    error_file = models.BinaryField(_("refused rows"), blank=True, default=b"")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("staff import")
        verbose_name_plural = _("staff imports")

    def __str__(self) -> str:
        return self.filename
